import ArgumentParser
import SpecgdSupport

// Placeholder: replaced by the issue that implements `specgd theory`.
struct TheoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "theory", abstract: "Exact summary maps and continuous-time flows. (not yet implemented)")

    func run() throws {
        throw InputError("specgd theory is not implemented yet")
    }
}
