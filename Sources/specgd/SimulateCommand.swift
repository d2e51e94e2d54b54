import ArgumentParser
import SpecgdSupport

// Placeholder: replaced by the issue that implements `specgd simulate`.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "simulate", abstract: "Dense finite-dimensional GD and SpecGD runs. (not yet implemented)")

    func run() throws {
        throw InputError("specgd simulate is not implemented yet")
    }
}
