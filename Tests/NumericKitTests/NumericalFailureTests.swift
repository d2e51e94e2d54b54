import Foundation
import Testing
import NumericKit
import SpecgdSupport

/// A LAPACK routine that fails on a matrix it accepted is a numerical failure, with its own
/// type and message — not an input error the user could fix by changing an option.
@Suite struct NumericalFailureTests {
    @Test func svdOfANonFiniteMatrixIsANumericalFailure() {
        var svd = ThinSVD(rows: 4, columns: 3)
        let a = Matrix(rows: 4, columns: 3) { i, j in i == 1 && j == 2 ? .nan : Double(i + j) }
        do {
            try svd.factor(a)
            Issue.record("a NaN matrix factored without error")
        } catch let failure as NumericalFailure {
            #expect(failure.routine.contains("dgesdd"))
            #expect(failure.description.hasPrefix("numerical failure in LAPACK"))
            #expect(!failure.description.contains("\n"))
        } catch {
            Issue.record("expected NumericalFailure, got \(type(of: error)): \(error)")
        }
    }
}
