import ArgumentParser
import SpecgdSupport

// Placeholder: replaced by the issue that implements `specgd figures`.
struct FiguresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "figures", abstract: "Regenerate the full figure set. (not yet implemented)")

    func run() throws {
        throw InputError("specgd figures is not implemented yet")
    }
}
