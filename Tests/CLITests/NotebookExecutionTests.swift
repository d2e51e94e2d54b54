import Foundation
import Testing

/// `export-notebook` on the folders `report` covers: a demo-like folder of folders (compare,
/// check-escape, figures, sweeps with phase diagrams, plus theory runs), a figures folder and a
/// sweep folder. Each notebook reads its folder with the `specgd` Python package and executes
/// headless (nbconvert), drawing one matplotlib figure per figure of the folder.
@Suite struct NotebookExecutionTests {
    /// The repository's python/ folder: what `pip install ./python` installs.
    static let package = DocsExamplesTests.repository.appendingPathComponent("python").path

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
    """

    static func figures(in root: String) throws -> Int {
        try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".svg") }.count
    }

    @Test(.enabled(if: ExternalTools.python != nil, "SPECGD_PYTHON not set or not executable"))
    func exportedNotebooksExecuteAndDrawEveryFigure() throws {
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
        let cases = [(demo, try Self.figures(in: demo) + 1), (folders.figures, try Self.figures(in: folders.figures)),
                     (folders.sweep, try Self.figures(in: folders.sweep))]
        for (i, (folder, expected)) in cases.enumerated() {
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
            // Not installed here: the package is found on PYTHONPATH as `pip install ./python` would install it.
            let result = try ExternalTools.run(python, ["-c", Self.executeScript, notebook, root + "/notebooks"],
                                               environment: ["PYTHONPATH": Self.package, "MPLBACKEND": "module://matplotlib_inline.backend_inline"])
            #expect(result.status == 0, "\(folder): \(result.stderr.suffix(3000))")
            #expect(result.stdout.contains("images \(expected)"), "\(folder): \(result.stdout) (expected \(expected) figures)")
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
