import ArgumentParser
import SpecgdSupport

// Placeholder: replaced by the issue that implements `specgd merge`.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Merge sharded sweep directories. (not yet implemented)")

    func run() throws {
        throw InputError("specgd merge is not implemented yet")
    }
}
