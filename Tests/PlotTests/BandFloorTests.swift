import Foundation
import Testing
@testable import Plot

/// A band "0 ≤ y ≤ u" on a log axis (exact SpecGD's 2-cycle band of c in the overlays) is shaded
/// down to the frame; a band whose lower bound is negative or NaN still splits there.
@Suite struct BandFloorTests {
    static func polygons(lower: [Double]) -> (svg: String, layout: PanelLayout) {
        var axes = Axes(y: Axis(scale: .log))
        axes.add(LineSeries(x: [0, 1, 2, 3], y: [1e-3, 1e-2, 1e-1, 1]))
        axes.add(Band(x: [0, 1, 2, 3], lower: lower, upper: [1e-2, 1e-2, 1e-2, 1e-2], color: .gray))
        let figure = Figure(axes)
        return (figure.svg, figure.layout()[0])
    }

    @Test func aZeroLowerBoundReachesTheFrameOnALogAxis() throws {
        let (svg, layout) = Self.polygons(lower: [0, 0, 0, 0])
        let bands = svg.split(separator: "\n").filter { $0.contains("fill-opacity=\"0.22\"") }
        #expect(bands.count == 1)
        let bottom = SVGWriter.number(layout.plotY + layout.plotHeight)
        #expect(bands[0].contains(",\(bottom)L") || bands[0].contains(",\(bottom)Z"), "\(bands[0]) at \(bottom)")
        // The axis is the data's, not stretched by the zero.
        #expect(layout.y.limits.lowerBound > 1e-4)
    }

    @Test func aNegativeLowerBoundStillSplitsTheBand() throws {
        func vertices(_ lower: [Double]) throws -> Int {
            let (svg, _) = Self.polygons(lower: lower)
            let band = try #require(svg.split(separator: "\n").first { $0.contains("fill-opacity=\"0.22\"") })
            return band.filter { $0 == "L" }.count + 1
        }
        #expect(try vertices([1e-3, 1e-3, 1e-3, 1e-3]) == 8)
        #expect(try vertices([1e-3, 1e-3, -1, 1e-3]) == 4, "points 0 and 1 only; point 3 alone draws nothing")
    }
}
