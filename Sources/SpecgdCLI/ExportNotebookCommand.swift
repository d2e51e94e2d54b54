import Model
import ArgumentParser
import Experiments
import PlotRecipes
import Reports
import Foundation
import SpecgdSupport

/// `specgd export-notebook`: a Jupyter notebook that redraws a directory's figures in matplotlib.
struct ExportNotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-notebook",
        abstract: "Export a Jupyter notebook that reads a folder with the specgd Python package and redraws its figures in matplotlib.",
        discussion: """
        Works on the folders `report` covers (compare, check-escape, figures, theory and simulate runs, sweeps \
        with their phase diagrams, a `specgd run` folder, and folders of folders such as scripts/demo's). The \
        first code cell reads DIR with the specgd Python package (r = specgd.load(DATA); when the package is not \
        installed, the python/ folder of a specgd repository holding the notebook, else one line saying to run \
        pip install ./python). Then, per figure in the report's order, a markdown cell saying what it shows and \
        a short code cell that redraws it with matplotlib from tidy pandas frames: trajectories from \
        trajectories() (per-seed theory as a dashed mean over its q10–q90 band), other figures from the CSV \
        frames their recipe draws, phase diagrams pivoted over their axes; legends below the panels, no axis \
        limits typed in. check-escape adds its checks(), compare and check-escape with per-seed theory their \
        spread(), a sweep its cells(). SVGs without a recipe are shown as images (their scripts never run). Names, titles and \
        commands from DIR are untrusted: escaped in markdown, string literals in code; a record that does not \
        decode is refused in one line naming the file. The notebook is nbformat 4.5 with a python3 kernel and \
        no outputs; its data path is relative to the notebook (override with the SPECGD_DATA environment \
        variable).
        Example: specgd export-notebook out/figures --output notebooks-export/figures.ipynb
        """)

    @Argument(help: ArgumentHelp("Directory holding the CSV files, JSON sidecars and figure recipes.", valueName: "dir"))
    var directory: String?

    /// `--from DIR`, the old spelling of the positional DIR (deprecated, hidden).
    @Option(help: .hidden)
    var from: String?

    /// DIR, or the deprecated --from DIR.
    var input: String { directory ?? from ?? "" }

    @Option(help: "Path of the notebook to write (conventionally notebooks-export/NAME.ipynb).")
    var output: String

    func validate() throws {
        switch (directory, from) {
        case (nil, nil): throw ValidationError("give the directory to export")
        case (_?, _?): throw ValidationError("give the directory once (--from is the old spelling of the positional DIR)")
        default: break
        }
        // The notebook may not replace a file it reads (DIR's CSVs, records, recipes, SVGs).
        let read = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).map { (input as NSString).appendingPathComponent($0) }
        try OutputPath.checkFile(output, inputs: read.map { ("a file of \(input) the notebook reads", $0) })
        guard output.hasSuffix(".ipynb") else { throw InputError("--output must end in .ipynb (got \(output))") }
    }

    func run() throws {
        try NotebookExport.export(from: input, to: output, workingDirectory: FileManager.default.currentDirectoryPath)
        print("notebook: \(output)")
    }
}
