import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SpecgdSupport

@Suite struct FiguresCommandTests {
    static let names = ["trajectories", "escape-vs-lambda", "escape-vs-dim", "loss", "bulk", "power-law", "muon-at-scale"]

    /// --only makes the named figures and nothing else, byte for byte as in the whole set;
    /// --no-title drops the SVG's title and keeps it in the recipe; a mistyped name is one line.
    @Test func onlyTheNamedFiguresWithoutTitles() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let only = try SpecgdProcess.run(["figures", "--quick", "--only", "loss,bulk", "--output-dir", root + "/only"])
        #expect(only.status == 0, "\(only.stderr)")
        let svgs = try FileManager.default.contentsOfDirectory(atPath: root + "/only").filter { $0.hasSuffix(".svg") }.sorted()
        #expect(svgs == ["bulk.svg", "loss.svg"])
        let bare = try SpecgdProcess.run(["figures", "--quick", "--only", "loss", "--no-title", "--output-dir", root + "/bare"])
        #expect(bare.status == 0, "\(bare.stderr)")
        let titled = try String(contentsOfFile: root + "/only/loss.svg", encoding: .utf8)
        let untitled = try String(contentsOfFile: root + "/bare/loss.svg", encoding: .utf8)
        let recipe = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/bare/loss.recipe.json"))) as! [String: Any]
        let title = try #require(recipe["title"] as? String)
        #expect(title.hasPrefix("Population loss") && recipe["drawsTitle"] as? Bool == false)
        #expect(titled.contains(">Population loss") && !untitled.contains(">Population loss"))
        // The data do not depend on the options.
        #expect(try String(contentsOfFile: root + "/only/loss.csv", encoding: .utf8) == String(contentsOfFile: root + "/bare/loss.csv", encoding: .utf8))

        let typo = try SpecgdProcess.run(["figures", "--quick", "--only", "los", "--output-dir", root + "/typo"])
        #expect(typo.status == 1)
        #expect(typo.stderr.hasPrefix("Error: --only: no figure is named 'los' (did you mean 'loss'?) (figures: trajectories,"), "\(typo.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/typo"))
    }

    @Test func quickFigureSetHasEverySVGWithItsData() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try SpecgdProcess.run(["figures", "--quick", "--output-dir", dir])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        for name in Self.names {
            let svg = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name).svg"))
            #expect(XMLParser(data: svg).parse(), "\(name).svg is not well-formed")
            // The recipe names the CSV columns it draws; each must exist, with a sidecar.
            let recipe = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name).recipe.json"))) as! [String: Any]
            for panel in recipe["panels"] as! [[String: Any]] {
                for series in panel["series"] as! [[String: Any]] {
                    let csv = series["csv"] as! String
                    let table = try Table.readCSV("\(dir)/\(csv)")
                    for key in ["x", "y", "upper"] {
                        if let column = series[key] as? String { #expect(table.index(of: column) != nil, "\(csv) lacks \(column)") }
                    }
                    let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sidecarPath(for: "\(dir)/\(csv)")))) as! [String: Any]
                    #expect((sidecar["command"] as? String)?.contains("figures") == true)
                }
            }
        }
        #expect(files.filter { $0.hasSuffix(".svg") }.count == Self.names.count)
        // Only muon-at-scale's sidecars record its sizes (--quick: 3 dimensions, λ = 1 and 16).
        let muon = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/muon-at-scale-lambda-16.json"))) as! [String: Any]
        let sizes = (muon["configuration"] as! [String: Any])["muonScale"] as! [String: Any]
        #expect(sizes["dimensions"] as? [Int] == [1000, 100_000, 100_000_000] && sizes["lambdas"] as? [Double] == [1, 16])
        let bulk = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/bulk.json"))) as! [String: Any]
        #expect((bulk["configuration"] as! [String: Any])["muonScale"] == nil)
        // The default second side (exact SpecGD) is not recorded: the sidecars are as before the family.
        #expect(((bulk["configuration"] as! [String: Any])["options"] as! [String: Any])["optimizer"] == nil)
        // The trajectories show the misalignment: GD's b/a grows well above 1, SpecGD's never does.
        let gd = try Table.readCSV(dir + "/trajectories-gd.csv").column("b_over_a_theory")!
        let spec = try Table.readCSV(dir + "/trajectories-specgd.csv").column("b_over_a_theory")!
        // SpecGD's theory map starts at a = b = α and moves each by ±η: while b's factor
        // 2(1+λ)b² + T is negative so is a's (2(a² − 1) + T is smaller for a = b < 1), and the
        // two get the same operation on bitwise-equal values — b/a is exactly 1; once b stops
        // growing b < a, and a correctly rounded quotient of b ≤ a is ≤ 1. The CSV carries the
        // values exactly (shortest round-trip digits), so the bound is 1 itself, no slack.
        #expect(gd.max()! > 5 && spec.max()! <= 1)
    }

    /// Muon on the second side: its files and columns are `optimizer_`, every sidecar records
    /// the optimizer, the legends name it, and muon-at-scale's data are the default set's.
    @Test func muonFigureSetRecordsItsOptimizer() throws {
        let dir = try SpecgdProcess.temporaryDirectory(), paper = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: paper) }
        let result = try SpecgdProcess.run(["figures", "--quick", "--method", "specgd", "--polar", "ns5", "--momentum", "0.95",
                                            "--nesterov", "--output-dir", dir])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try SpecgdProcess.run(["figures", "--quick", "--output-dir", paper]).status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(files.contains("trajectories-optimizer.csv") && files.contains("trajectories-gd.csv") && !files.contains("trajectories-specgd.csv"))
        for csv in files.filter({ $0.hasSuffix(".csv") && !$0.hasPrefix("muon-at-scale") }) {
            let columns = try Table.readCSV("\(dir)/\(csv)").columns
            #expect(!columns.contains { $0.hasPrefix("specgd_") } && (csv.hasPrefix("trajectories") || columns.contains { $0.hasPrefix("optimizer_") }), "\(csv)")
            let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sidecarPath(for: "\(dir)/\(csv)")))) as! [String: Any]
            let options = (sidecar["configuration"] as! [String: Any])["options"] as! [String: Any]
            let optimizer = try #require(options["optimizer"] as? [String: Any], "\(csv)")
            #expect(optimizer["method"] as? String == "specgd" && optimizer["polar"] as? String == "ns5")
            #expect(optimizer["momentum"] as? Double == 0.95 && optimizer["nesterov"] as? Bool == true)
        }
        let svg = try String(contentsOfFile: dir + "/escape-vs-lambda.svg", encoding: .utf8)
        #expect(svg.contains("Muon (NS5, K = 5, β = 0.95, Nesterov)"))
        for csv in files.filter({ $0.hasPrefix("muon-at-scale") && $0.hasSuffix(".csv") }) {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(csv)")) == Data(contentsOf: URL(fileURLWithPath: "\(paper)/\(csv)")), "\(csv)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/muon-at-scale.svg")) == Data(contentsOf: URL(fileURLWithPath: paper + "/muon-at-scale.svg")))
    }

    /// `figures --quick` then `export-notebook`: the notebook's path (in a fresh directory).
    private func exportedNotebook() throws -> (directory: String, notebook: String) {
        let dir = try SpecgdProcess.temporaryDirectory()
        #expect(try SpecgdProcess.run(["figures", "--quick", "--output-dir", dir + "/data"]).status == 0)
        let notebook = dir + "/notebooks-export/figures.ipynb"
        // --output's folder must exist (it is never created silently).
        #expect(try SpecgdProcess.run(["export-notebook", "--from", dir + "/data", "--output", notebook]).stderr.contains("does not exist"))
        try FileManager.default.createDirectory(atPath: dir + "/notebooks-export", withIntermediateDirectories: false)
        let export = try SpecgdProcess.run(["export-notebook", "--from", dir + "/data", "--output", notebook])
        #expect(export.status == 0, "\(export.stderr)")
        return (dir, notebook)
    }

    @Test func exportedNotebookIsWritten() throws {
        let (dir, notebook) = try exportedNotebook()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: notebook))) as! [String: Any]
        #expect(object["nbformat"] as? Int == 4)
        let bad = try SpecgdProcess.run(["export-notebook", "--from", dir + "/missing", "--output", notebook])
        #expect(bad.status != 0 && bad.stderr.contains("not a directory"))
    }

    @Test(.enabled(if: ExternalTools.python != nil, "SPECGD_PYTHON not set or not executable"))
    func exportedNotebookValidatesAndRuns() throws {
        let python = try #require(ExternalTools.python)
        let (dir, notebook) = try exportedNotebook()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let validate = Process()
        validate.executableURL = URL(fileURLWithPath: python)
        validate.arguments = ["-c", "import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", notebook]
        try validate.run()
        validate.waitUntilExit()
        #expect(validate.terminationStatus == 0, "the notebook does not validate against the nbformat schema")
        let execute = Process()
        execute.executableURL = URL(fileURLWithPath: python)
        execute.arguments = ["-m", "nbconvert", "--to", "notebook", "--execute", notebook, "--output", "executed.ipynb"]
        // The notebook reads the folder with the specgd Python package, as `pip install ./python` installs it.
        execute.environment = ProcessInfo.processInfo.environment.merging(["PYTHONPATH": NotebookFolderTests.package]) { _, new in new }
        let err = Pipe()
        execute.standardError = err
        execute.standardOutput = Pipe()
        try execute.run()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        execute.waitUntilExit()
        #expect(execute.terminationStatus == 0, "nbconvert --execute failed: \(errors.suffix(2000))")
    }
}
