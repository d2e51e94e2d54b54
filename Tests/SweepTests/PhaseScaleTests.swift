import Foundation
import Testing
import SpecgdSupport
import Plot
@testable import Sweep

/// plot-phase's paper controls: geometric lists on log axes (with `--x-scale/--y-scale` to force
/// either), `--vmin/--vmax` fixing the colour range, `--cmap` the colour map.
@Suite struct PhaseScaleTests {
    static func axis(_ spec: String) throws -> GridAxis { try Grid.parse([spec], mode: .theory).axes[0] }

    @Test func geometricListsAreLogAxes() throws {
        #expect(try Self.axis("lr=1e-3,3e-3,1e-2").isGeometric)
        #expect(try Self.axis("lr=1e-3,1e-2").isGeometric)
        #expect(try Self.axis("lambda=1,2,4,8,16").isGeometric)
        #expect(try Self.axis("lr=1e-4:1e-1:4:log").isGeometric)
        #expect(try !Self.axis("lambda=1,2,3,4").isGeometric)          // linear spacing, one decade short
        #expect(try !Self.axis("lambda=0,8,16").isGeometric)           // not positive
        #expect(try !Self.axis("lambda=1:100:12").isGeometric)         // a linear grid stays linear
        #expect(try !Self.axis("dim=10,20,30,40,50,60,70,80,90,100").isGeometric)  // more even on a linear axis
        #expect(try !Self.axis("lambda=1,2,4,8").isGeometric)          // under a decade
    }

    @Test func scalesAndColourRangeReachTheFigure() throws {
        let configuration = try Fixture.configuration(grid: ["lambda=1,2,4,8,16", "lr=1e-3,3e-3,1e-2"], metrics: [.escapeStep])
        let directory = try Fixture.directory()
        _ = try Fixture.run(configuration, in: directory)
        var diagram = try PhaseDiagram.load(directory, metric: nil, x: nil, y: nil)
        #expect(diagram.xLog && diagram.yLog)
        diagram.xScaleIsLog = false
        diagram.colorMinimum = 10
        diagram.colormap = .greys
        let panel = PhaseDiagramFigure.figure(diagram).panels[0]
        #expect(panel.x.scale == .linear && panel.y.scale == .log)
        let heatmap = try #require(panel.heatmap)
        let finite = diagram.values.joined().filter(\.isFinite)
        #expect(heatmap.valueRange == 10...finite.max()! && heatmap.colormap == .greys)
    }
}

/// plot-phase reads cells.csv strictly: a row with the wrong field count, a word where a number
/// belongs or an unknown status is refused naming the line, never drawn.
@Suite struct CorruptedCellsTests {
    @Test(arguments: [("hello", "not a number"), ("0.5,extra", "fields, the header has"), (nil as String?, "neither ok nor diverged")])
    func corruptedRowsAreRefused(_ replacement: String?, _ message: String) throws {
        let configuration = try Fixture.configuration(grid: ["lambda=1,8", "lr=1e-3,1e-2"], metrics: [.escapeStep])
        let directory = try Fixture.directory()
        _ = try Fixture.run(configuration, in: directory)
        let path = SweepRecord.cellsPath(directory)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        var fields = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        if let replacement {
            fields[header.firstIndex(of: "escape_step")!] = replacement
        } else {
            fields[header.firstIndex(of: "status")!] = "maybe"
        }
        lines[2] = fields.joined(separator: ",")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try PhaseDiagram.load(directory, metric: nil, x: nil, y: nil)
            Issue.record("a corrupted cells.csv was drawn")
        } catch let error as InputError {
            #expect(error.message.contains("line 3") && error.message.contains(message), "\(error.message)")
        }
    }
}
