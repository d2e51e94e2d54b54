import Model
import Foundation
import Machine
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Plot
import SpecgdSupport
@testable import Comparison
@testable import Experiments
@testable import PlotRecipes
@testable import Reports

@Suite struct RecipeAndNotebookTests {
    /// A directory like `specgd compare` writes (without its record): compare-gd.csv, overlay +
    /// recipe, the amplification figure, and a stray SVG without a recipe.
    static func makeDirectory() throws -> String {
        let directory = try Fixtures.temporaryDirectory()
        let theory = Fixtures.spikedTrajectory(lambda: 8, dim: 50, steps: 3000, every: 20)
        let simulation = Fixtures.scaled(theory, column: "b", by: 1.01)
        let result = try TrajectoryComparison.compare(theory: theory, simulation: simulation)
        try result.table.writeCSV(to: directory + "/compare-gd.csv")
        let overlay = OverlayRecipe.recipe(methods: [.init(label: "GD", csv: "compare-gd.csv", table: result.table, color: .blue)],
                                           title: "GD at λ = 8")
        try overlay.write(directory: directory, tables: ["compare-gd.csv": result.table])
        var points = [EscapeFigure.Point]()
        for lambda in [1.0, 4, 8] {
            let gd = try EscapeMeasurement.measure(Fixtures.spikedTrajectory(lambda: lambda, dim: 50, steps: 2600), lambda: lambda)
            let spec = try EscapeMeasurement.measure(Fixtures.spikedTrajectory(lambda: lambda, dim: 50, specgd: true, steps: 600), lambda: lambda)
            points.append(.init(lambda: lambda, gdMap: gd, specgdMap: spec))
        }
        let tables = [EscapeFigure.pointsFile: EscapeFigure.pointsTable(points, learningRate: 1e-3),
                      EscapeFigure.curveFile: EscapeFigure.curveTable(lambdas: [1, 8], learningRate: 1e-3, q: 0.048)]
        for (name, table) in tables { try table.writeCSV(to: directory + "/" + name) }
        try EscapeFigure.recipe(lambdaC: 2.1, simulation: false).write(directory: directory, tables: tables)
        try Figure(Axes(lines: [LineSeries(x: [0, 1], y: [0, 1])])).write(to: directory + "/extra.svg")
        return directory
    }

    @Test func recipesRoundTripAndDrawValidSVG() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["overlay", "amplification"] {
            let recipe = try FigureRecipe.read(directory + "/\(name).recipe.json")
            let svg = try String(contentsOfFile: directory + "/\(name).svg", encoding: .utf8)
            #expect(try recipe.figure(directory: directory).svg == svg, "the recipe redraws the same SVG")
            #expect(XMLParser(data: Data(svg.utf8)).parse())
            if let gallery = ProcessInfo.processInfo.environment["SPECGD_PLOT_GALLERY"] {
                try AtomicFile.write(svg, to: gallery + "/\(name).svg")
            }
        }
        let overlay = try FigureRecipe.read(directory + "/overlay.recipe.json")
        #expect(overlay.panels.map(\.title) == ["signal a", "spike b", "bulk c", "population loss", "alignment"])
        #expect(overlay.panels.first?.yScale == .log && overlay.panels.last?.yScale == .linear)
    }

    @Test func notebookHasTheNbformatShape() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/nb/figures.ipynb"
        try NotebookExport.export(from: directory, to: path, workingDirectory: "/")  // both paths absolute
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        #expect(object["nbformat"] as? Int == 4 && (object["nbformat_minor"] as? Int ?? 0) >= 4)
        let kernelspec = (object["metadata"] as? [String: Any])?["kernelspec"] as? [String: Any]
        #expect(kernelspec?["name"] as? String == "python3")
        let cells = object["cells"] as! [[String: Any]]
        let code = cells.filter { $0["cell_type"] as? String == "code" }
        #expect(code.count == 4)  // setup, two recipes, one plain SVG
        #expect(code.allSatisfy { ($0["outputs"] as? [Any])?.isEmpty == true && $0["execution_count"] is NSNull })
        #expect(cells.allSatisfy { $0["source"] is [String] })
        let text = cells.flatMap { $0["source"] as! [String] }.joined()
        #expect(text.contains("DATA = pathlib.Path(os.environ.get(\"SPECGD_DATA\", \"..\"))\nr = specgd.load(DATA)"))
        // Each recipe figure reads its frames once, from the loaded folder; no axis limit is hard-coded.
        #expect(text.contains("t = r.tables[\"compare-gd\"]") && text.contains(" = r.tables[\"amplification\"]"))
        #expect(!text.contains("set_ylim(") && !text.contains("set_xlim("))
        #expect(text.contains("show_svg(\"extra.svg\")"))
    }
}
