import ArgumentParser
import SpecgdSupport

// Placeholder: replaced by the issue that implements `specgd compare`.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "Theory against simulation on one configuration. (not yet implemented)")

    func run() throws {
        throw InputError("specgd compare is not implemented yet")
    }
}
