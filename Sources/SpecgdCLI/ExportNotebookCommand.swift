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
        abstract: "Export a Jupyter notebook that loads a directory's CSVs and redraws its figures in matplotlib.",
        discussion: """
        Reads every CSV in DIR (with the standard csv module and numpy: no pandas needed), and for every \
        figure recipe NAME.recipe.json (written by compare, check-escape and figures) adds a markdown cell saying \
        what the figure shows and which command made its data (from the JSON sidecars' `command`), and a code \
        cell that redraws it with matplotlib, in the figure set's order (trajectories first). Phase diagrams \
        (plot-phase) are redrawn as heatmaps from their CSV, as their record describes them. Columns that are \
        not numbers (a sweep's cell_id, status) load as strings. Other SVGs are shown as images (their scripts \
        never run). Names, titles and commands from DIR are untrusted: escaped in markdown, string literals in \
        code. The notebook is \
        nbformat 4.5 with a python3 kernel and no outputs; its data path is relative to the notebook (override \
        with the SPECGD_DATA environment variable).
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
        try NotebookExport.export(from: input, to: output)
        print("notebook: \(output)")
    }
}
