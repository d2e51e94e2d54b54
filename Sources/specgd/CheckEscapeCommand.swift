import ArgumentParser
import SpecgdSupport

// Placeholder: replaced by the issue that implements `specgd check-escape`.
struct CheckEscapeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-escape", abstract: "Check the escape-stage predictions of MODEL.md §5. (not yet implemented)")

    func run() throws {
        throw InputError("specgd check-escape is not implemented yet")
    }
}
