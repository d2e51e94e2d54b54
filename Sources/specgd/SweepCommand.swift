import ArgumentParser
import SpecgdSupport

// Placeholder: replaced by the issue that implements `specgd sweep`.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sweep", abstract: "Parameter sweeps into phase diagrams. (not yet implemented)")

    func run() throws {
        throw InputError("specgd sweep is not implemented yet")
    }
}
