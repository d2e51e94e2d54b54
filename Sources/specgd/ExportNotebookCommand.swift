import ArgumentParser
import SpecgdSupport

// Placeholder: replaced by the issue that implements `specgd export-notebook`.
struct ExportNotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export-notebook", abstract: "Export a Jupyter notebook that redraws the figures. (not yet implemented)")

    func run() throws {
        throw InputError("specgd export-notebook is not implemented yet")
    }
}
