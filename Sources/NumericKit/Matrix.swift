/// A dense real matrix stored column-major (the layout BLAS and LAPACK expect), so that
/// every product and factorisation is a direct call with no copy or transposition.
///
/// A value type: copies are cheap until written (copy-on-write array storage). Hot loops
/// keep their matrices in preallocated workspaces and write into them in place.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Entry (i, j) lives at `storage[i + j * rows]`.
    public var storage: [Double]

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = [Double](repeating: value, count: rows * columns)
    }

    /// Wraps column-major `storage` (count must be rows·columns).
    public init(rows: Int, columns: Int, storage: [Double]) {
        precondition(storage.count == rows * columns, "storage has \(storage.count) entries for \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// Builds a matrix entry by entry (tests and small set-ups; not for hot loops).
    public init(rows: Int, columns: Int, _ entry: (Int, Int) -> Double) {
        self.init(rows: rows, columns: columns)
        for j in 0..<columns { for i in 0..<rows { storage[i + j * rows] = entry(i, j) } }
    }

    /// scale · I (n×n).
    public static func identity(_ n: Int, scale: Double = 1) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.storage[i + i * n] = scale }
        return m
    }

    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { storage[i + j * rows] }
        set { storage[i + j * rows] = newValue }
    }

    public var transposed: Matrix {
        Matrix(rows: columns, columns: rows) { i, j in self[j, i] }
    }

    /// ‖A‖_F, accumulated in a plain loop (deterministic order).
    public var frobeniusNorm: Double { frobeniusNormSquared.squareRoot() }

    public var frobeniusNormSquared: Double {
        var total = 0.0
        for x in storage { total += x * x }
        return total
    }

    /// True when every entry is finite.
    public var isFinite: Bool {
        for x in storage where !x.isFinite { return false }
        return true
    }

    /// Column j as an array.
    public func column(_ j: Int) -> [Double] { Array(storage[(j * rows)..<((j + 1) * rows)]) }

    /// max |A_ij − B_ij|.
    public func maxAbsDifference(_ other: Matrix) -> Double {
        precondition(rows == other.rows && columns == other.columns, "shape mismatch")
        var worst = 0.0
        for k in 0..<storage.count { worst = max(worst, abs(storage[k] - other.storage[k])) }
        return worst
    }

    public static func * (a: Matrix, b: Matrix) -> Matrix {
        var c = Matrix(rows: a.rows, columns: b.columns)
        BLAS.gemm(a, b, into: &c)
        return c
    }

    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "shape mismatch")
        var c = a
        for k in 0..<c.storage.count { c.storage[k] -= b.storage[k] }
        return c
    }
}
