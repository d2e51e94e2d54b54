import Foundation
import Testing
import NumericKit
import TestSupport

/// U Vᵀ over the singular values above LAPACK's rank tolerance, straight from the thin SVD
/// of the whole matrix: the route `PolarWorkspace` takes for shapes that are not tall.
private func polarFromFullSVD(_ g: Matrix) throws -> (polar: Matrix, rank: Int) {
    var svd = ThinSVD(rows: g.rows, columns: g.columns)
    try svd.factor(g)
    let s = svd.singularValues
    let tolerance = s[0] * Double(max(g.rows, g.columns)) * Double.ulpOfOne
    let rank = s.filter { $0 > tolerance }.count
    let p = Matrix(rows: g.rows, columns: g.columns) { i, j in
        (0..<rank).reduce(0.0) { $0 + svd.u[i, $1] * svd.vt[$1, j] }
    }
    return (p, rank)
}

private func tallPolar(_ g: Matrix) throws -> (polar: Matrix, rank: Int) {
    var w = PolarWorkspace(rows: g.rows, columns: g.columns, method: .svd)
    w.diagonalFastPath = false
    var out = Matrix(rows: g.rows, columns: g.columns)
    try w.polar(g, into: &out)
    return (out, w.lastRank)
}

/// Rank-r matrix with singular values 1, 1/κ^{1/(r−1)}, …, 1/κ.
private func lowRank(_ rows: Int, _ columns: Int, rank: Int, condition: Double, seed: UInt64) throws -> Matrix {
    let u = try QR.orthonormalColumns(of: randomMatrix(rows, rank, seed: seed))
    let v = try QR.orthonormalColumns(of: randomMatrix(columns, rank, seed: seed + 1))
    let s = (0..<rank).map { i in pow(condition, -Double(i) / Double(max(rank - 1, 1))) }
    return Matrix(rows: rows, columns: columns) { i, j in (0..<rank).reduce(0.0) { $0 + u[i, $1] * s[$1] * v[j, $1] } }
}

@Suite struct TallPolarTests {
    @Test(arguments: [(200, 4), (1000, 1), (60, 30), (41, 20)])
    func equalsTheFullSVDRoute(shape: (Int, Int)) throws {
        let g = randomMatrix(shape.0, shape.1, seed: 31)
        let (p, rank) = try tallPolar(g)
        let (reference, referenceRank) = try polarFromFullSVD(g)
        #expect(rank == shape.1 && referenceRank == shape.1)
        // QR-then-SVD and the full SVD: two backward-stable routes to the same polar factor.
        #expect(p.maxAbsDifference(reference) < (try polarRoutesBound(g)))
        // Independent of any SVD: orthonormal columns and PᵀG symmetric with (PᵀG)² = GᵀG.
        #expect((p.transposed * p).maxAbsDifference(.identity(shape.1)) < orthonormalityBound(p))
        let h = p.transposed * g
        let symmetry = try polarSymmetryBound(g)
        #expect(h.maxAbsDifference(h.transposed) < symmetry.symmetric)
        #expect((h * h).maxAbsDifference(g.transposed * g) < symmetry.square)
    }

    @Test func illConditionedAndRankDeficient() throws {
        // κ = 10⁶, full rank: both routes are backward stable, so they differ by O(p ε κ).
        let ill = try lowRank(80, 8, rank: 8, condition: 1e6, seed: 3)
        let a = try tallPolar(ill), b = try polarFromFullSVD(ill)
        #expect(a.rank == 8 && b.rank == 8)
        #expect(a.polar.maxAbsDifference(b.polar) < (try polarRoutesBound(ill)))
        // Rank 3 of 8: the partial isometry on the range, numerical rank 3 on both routes.
        let deficient = try lowRank(80, 8, rank: 3, condition: 10, seed: 5)
        let c = try tallPolar(deficient), d = try polarFromFullSVD(deficient)
        #expect(c.rank == 3 && d.rank == 3)
        // The partial isometry's condition is set by the kept block: 2/s_3 with s_3 = 1/κ = 0.1,
        // the gap to the dropped (rounding-level) singular values. Same model as full rank,
        // with κ the ratio s_1/s_3 of the kept values.
        let kept = 4 * lapackDimension(deficient) * eps * 10
        #expect(c.polar.maxAbsDifference(d.polar) < kept)
        // Zero: polar(0) = 0, rank 0.
        let zero = try tallPolar(Matrix(rows: 50, columns: 5))
        #expect(zero.rank == 0 && zero.polar == Matrix(rows: 50, columns: 5))
    }
}
