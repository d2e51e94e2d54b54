import Foundation
import Testing
import Model
import Theory

/// `CovarianceKind.diagonal` in theory: the spectrum of the dense runs, grouped by value.
@Suite struct DiagonalCovarianceTests {
    @Test func theSpikedSpectrumAsADiagonalGivesTheSpikedRunBitForBit() throws {
        var spiked = TheoryConfiguration(method: .gd, lambda: 8, dimension: 50, steps: 400, every: 20)
        let spikedRun = try runTheory(spiked)
        var diagonal = spiked
        diagonal.covariance = .diagonal
        diagonal.spectrum = [1, 9] + Array(repeating: 1, count: 48)
        let diagonalRun = try runTheory(diagonal)
        // Equal eigenvalues merge in first-appearance order: (signal, spike, bulk) = the spiked groups.
        #expect(try diagonal.model().count == 3)
        for column in ["a", "b", "c", "loss", "alignment"] {
            #expect(diagonalRun.table.column(column) == spikedRun.table.column(column), "\(column)")
        }
        spiked.spectrum = [1, 2]
        #expect(throws: (any Error).self) { try spiked.validate() }  // a spectrum needs covariance diagonal
    }

    @Test func aSpectrumMustMatchTheDimension() {
        var c = TheoryConfiguration(dimension: 10)
        c.covariance = .diagonal
        c.spectrum = [1, 2, 3]
        #expect(throws: (any Error).self) { try c.validate() }
        c.spectrum = nil
        #expect(throws: (any Error).self) { try c.validate() }
    }
}
