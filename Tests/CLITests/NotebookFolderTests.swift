import Model
import Foundation
import Testing
import Experiments

/// `export-notebook` from every kind of output folder `report` covers, executed headless with
/// nbconvert: a compare, a check-escape, a figures and a sweep folder with phase diagrams (masked
/// cells, a log colour scale, a three-panel comparison), and a demo-like folder of folders with
/// theory runs. Each notebook reads its folder with the `specgd` Python package and draws one
/// matplotlib figure per figure of the folder.
@Suite struct NotebookFolderTests {
    /// The repository's python/ folder: what `pip install ./python` installs.
    static let package = DocsExamplesTests.repository.appendingPathComponent("python").path

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
        // What each figure cell reads first: the figure set's order, trajectories (a tidy frame) first.
        let first = try Self.codeCells(dir + "/figures.ipynb").dropFirst().compactMap { code -> String? in
            guard let match = code.firstMatch(of: /r\.trajectories\(\)|tables\["([^"]+)"\]/) else { return nil }
            return match.output.1.map(String.init) ?? "trajectories()"
        }
        #expect(first == ["trajectories()", "escape-vs-lambda", "escape-vs-dim", "loss", "bulk", "power-law", "muon-at-scale-lambda-1"])
        #expect(first.count == FigureSet.names.count)

        try Self.export(folders.sweep, to: dir + "/sweep.ipynb")
        let sweep = try Self.codeCells(dir + "/sweep.ipynb")
        let redrawn = sweep.compactMap { $0.firstMatch(of: /^t = r\.tables\["(phase-[^"]+)"\]/).map { String($0.output.1) } }
        #expect(redrawn == ["phase-alignment_at_escape", "phase-escape_step", "phase-escape_step-compare"])
        #expect(sweep.filter { $0.contains("pcolormesh(") }.count == 3 && sweep.contains { $0.contains("norm=\"log\"") })
        #expect(!sweep.dropFirst().contains { $0.contains("show_svg(") }, "a phase diagram is redrawn, not shown as its SVG")
    }

    /// Executes `notebook` with nbconvert (cwd `directory`); prints the number of PNG images and
    /// the code cells that raised.
    static let executeScript = """
    import sys, nbformat
    from nbconvert.preprocessors import ExecutePreprocessor
    nb = nbformat.read(sys.argv[1], as_version=4)
    nbformat.validate(nb)
    ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(nb, {"metadata": {"path": sys.argv[2]}})
    errors = [o.ename + ": " + o.evalue for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    print("images", len(images))
    # Per-seed theory's spread cells, each showing its table (three quantities per method).
    spread = [c for c in nb.cells if c.cell_type == "code" and ".spread()" in c.source
              and any("peak_amplification" in o.get("data", {}).get("text/plain", "") for o in c.outputs)]
    print("spread tables", len(spread))
    """

    static func figures(in root: String) throws -> Int {
        try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".svg") }.count
    }

    @Test(.enabled(if: ExternalTools.python != nil, "SPECGD_PYTHON not set or not executable"))
    func notebooksFromEveryFolderExecute() throws {
        let python = try #require(ExternalTools.python)
        let folders = try OutputFolders.get()
        let root = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The demo-like folder: the shared folders plus two theory runs at its top (as scripts/demo writes).
        let demo = root + "/demo"
        try FileManager.default.copyItem(atPath: folders.root, toPath: demo)
        for method in ["gd", "specgd"] {
            let run = try SpecgdProcess.run(["theory", "--method", method, "--dim", "100", "--steps", "1500", "--every", "50",
                                             "--output", "\(demo)/theory-\(method).csv"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        // Each SVG redrawn (a recipe, a phase diagram, or shown as an image), and the demo's
        // theory runs drawn as one more figure.
        // Per-seed theory: a spread table per compare and check-escape folder (both ran dense
        // seeds); every trajectory figure (compare's overlay, the figure set's trajectories, the
        // demo's theory runs) draws its band when the frame has the source.
        let cases = [(demo, try Self.figures(in: demo) + 1, 2, 3), (folders.compare, 1, 1, 1), (folders.checkEscape, 1, 1, 0),
                     (folders.figures, FigureSet.names.count, 0, 1), (folders.sweep, 3, 0, 0)]
        for (i, (folder, expected, spreads, trajectoryFigures)) in cases.enumerated() {
            let notebook = root + "/notebooks/nb\(i).ipynb"
            try FileManager.default.createDirectory(atPath: root + "/notebooks", withIntermediateDirectories: true)
            let export = try SpecgdProcess.run(["export-notebook", folder, "--output", notebook])
            #expect(export.status == 0, "\(export.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: notebook))) as! [String: Any]
            let code = (object["cells"] as! [[String: Any]]).filter { $0["cell_type"] as? String == "code" }
                .map { ($0["source"] as! [String]).joined() }
            // Short, editable code on the package's frames: no table read twice, no axis limit typed in.
            #expect(code[0].contains("r = specgd.load(DATA)") && code[0].contains("pip install ./python"))
            #expect(!code.joined().contains("import csv") && code.joined().firstMatch(of: /set_[xy]lim\([-0-9.]/) == nil)
            for cell in code.dropFirst() {
                let lookups = cell.matches(of: /r(\[[^\]]*\])*\.tables\[[^\]]*\]/).map { String($0.output.0) }
                #expect(Set(lookups).count == lookups.count, "a table looked up twice: \(cell)")
            }
            let spreadCells = code.filter { $0.firstMatch(of: /^spread = r(\[[^\]]*\])*\.spread\(\)\nspread\n?$/) != nil }
            #expect(spreadCells.count == spreads, "\(folder): \(spreadCells.count) spread cells")
            let banded = code.filter {
                $0.contains(".trajectories()") && $0.contains("if source == \"seed theory\":")
                    && $0.contains("fill_between(rows[\"step\"], rows[stat + \"_q10\"].abs(), rows[stat + \"_q90\"].abs()")
                    && $0.contains("linestyle=\"--\"") && $0.contains("fig.legend(key.values(), key.keys(), loc=\"outside lower center\"")
            }
            #expect(banded.count == trajectoryFigures, "\(folder): \(banded.count) trajectory cells with the per-seed band")
            // Not installed here: the package is found on PYTHONPATH as `pip install ./python` would install it.
            let result = try ExternalTools.run(python, ["-c", Self.executeScript, notebook, root + "/notebooks"],
                                               environment: ["PYTHONPATH": Self.package, "MPLBACKEND": "module://matplotlib_inline.backend_inline"])
            #expect(result.status == 0, "\(folder): \(result.stderr.suffix(3000))")
            #expect(result.stdout.contains("images \(expected)"), "\(folder): \(result.stdout) (expected \(expected) figures)")
            #expect(result.stdout.contains("spread tables \(spreads)"), "\(folder): \(result.stdout) (expected \(spreads) spread tables)")
        }
    }

    /// Without the package installed and outside a repository, the first cell says what to do in one line.
    @Test(.enabled(if: ExternalTools.python != nil, "SPECGD_PYTHON not set or not executable"))
    func missingPackageIsOneLine() throws {
        let python = try #require(ExternalTools.python)
        let folders = try OutputFolders.get()
        let root = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let notebook = root + "/compare.ipynb"
        #expect(try SpecgdProcess.run(["export-notebook", folders.compare, "--output", notebook]).status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: notebook))) as! [String: Any]
        let setup = ((object["cells"] as! [[String: Any]]).first { $0["cell_type"] as? String == "code" }!["source"] as! [String]).joined()
        // -S: no site-packages, so no installed copy either; the folder is outside any repository.
        let script = "import os, sys; os.chdir(sys.argv[1])\n" + setup
        let result = try ExternalTools.run(python, ["-S", "-c", script, root], environment: ["PYTHONPATH": ""])
        #expect(result.status != 0 && result.stderr.contains("ImportError: the specgd Python package is not installed: run  pip install ./python"),
                "\(result.stderr)")
    }
}
