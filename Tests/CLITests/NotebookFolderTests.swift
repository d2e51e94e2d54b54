import Model
import Foundation
import Testing
import Experiments

/// `export-notebook` from every kind of output folder, executed headless with nbconvert: a
/// compare, a check-escape, a figures and a sweep folder with phase diagrams (text columns in
/// cells.csv, masked cells, a log colour scale, a three-panel comparison).
@Suite struct NotebookFolderTests {
    /// The code cells' sources of a notebook, in order.
    static func codeCells(_ path: String) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        return (object["cells"] as! [[String: Any]]).filter { $0["cell_type"] as? String == "code" }
            .map { ($0["source"] as! [String]).joined() }
    }

    static func export(_ folder: String, to notebook: String) throws {
        let result = try SpecgdProcess.run(["export-notebook", folder, "--output", notebook])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func figuresComeInTheFigureSetsOrderAndPhaseDiagramsAsHeatmaps() throws {
        let folders = try OutputFolders.get()
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.export(folders.figures, to: dir + "/figures.ipynb")
        // Each recipe cell reads its own CSVs first: the figure set's order, trajectories first.
        let firstCSV = try Self.codeCells(dir + "/figures.ipynb").dropFirst().compactMap { code -> String? in
            guard let range = code.range(of: "tables\\[\"[^\"]+\"\\]", options: .regularExpression) else { return nil }
            return String(code[range].dropFirst(8).dropLast(2))
        }
        #expect(firstCSV == ["trajectories-gd.csv", "escape-vs-lambda.csv", "escape-vs-dim.csv", "loss.csv", "bulk.csv", "power-law.csv",
                             "muon-at-scale-lambda-1.csv"])
        #expect(firstCSV.count == FigureSet.names.count)

        try Self.export(folders.sweep, to: dir + "/sweep.ipynb")
        let sweep = try Self.codeCells(dir + "/sweep.ipynb")
        let redrawn = sweep.filter { $0.hasPrefix("phase_figure(") }
        #expect(redrawn == ["phase_figure(\"phase-alignment_at_escape\")", "phase_figure(\"phase-escape_step-compare\")",
                            "phase_figure(\"phase-escape_step\")"])
        #expect(!sweep.contains { $0.contains("SVG(filename") }, "a phase diagram is redrawn, not shown as its SVG")
    }

    @Test(.enabled(if: ExternalTools.python != nil, "SPECGD_PYTHON not set or not executable"))
    func notebooksFromEveryFolderExecute() throws {
        let python = try #require(ExternalTools.python)
        let folders = try OutputFolders.get()
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Executes a notebook and prints, for its code cells, how many images they drew and any error.
        let script = """
        import sys, nbformat
        from nbconvert.preprocessors import ExecutePreprocessor
        nb = nbformat.read(sys.argv[1], as_version=4)
        nbformat.validate(nb)
        ExecutePreprocessor(timeout=300, kernel_name="python3").preprocess(nb, {"metadata": {"path": sys.argv[2]}})
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        errors = [o for o in outputs if o.output_type == "error"]
        assert not errors, errors
        print("images", sum("image/png" in o.get("data", {}) for o in outputs))
        print("".join(o.get("text", "") for o in outputs if o.output_type == "stream"))
        """
        // (folder, images drawn by matplotlib): one per recipe or phase diagram.
        let cases = [(folders.compare, 1), (folders.checkEscape, 1), (folders.figures, FigureSet.names.count), (folders.sweep, 3)]
        for (folder, images) in cases {
            let name = (folder as NSString).lastPathComponent
            let notebook = "\(dir)/\(name).ipynb"
            try Self.export(folder, to: notebook)
            let result = try ExternalTools.run(python, ["-c", script, notebook, dir],
                                               environment: ["MPLBACKEND": "module://matplotlib_inline.backend_inline"])
            #expect(result.status == 0, "\(name): \(result.stderr.suffix(3000))")
            #expect(result.stdout.contains("images \(images)\n"), "\(name): \(result.stdout.prefix(2000))")
            if name == "sweep" {
                // cells.csv loads with its text columns (hex cell_id, status) as strings.
                #expect(result.stdout.contains("cells.csv: 12 rows, columns cell, cell_id, lambda, lr"), "\(result.stdout.prefix(2000))")
            }
        }
    }
}
