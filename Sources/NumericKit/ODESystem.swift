/// dy/dt = f(t, y) for `dimension` unknowns, written with the raw buffers GSL hands over so
/// the right-hand side never allocates.
public struct ODESystem {
    /// f(t, y, dydt): write f into `dydt` (length `dimension`).
    public typealias RightHandSide = (Double, UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    /// J(t, y, dfdy, dfdt): write ∂f_i/∂y_j row-major into `dfdy` (dimension²) and ∂f/∂t into `dfdt`.
    public typealias Jacobian = (Double, UnsafePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void

    public let dimension: Int
    public var rightHandSide: RightHandSide
    public var jacobian: Jacobian?

    public init(dimension: Int, rightHandSide: @escaping RightHandSide, jacobian: Jacobian? = nil) {
        self.dimension = dimension
        self.rightHandSide = rightHandSide
        self.jacobian = jacobian
    }
}

/// Event functions e_j(t, y) written into `values` (length = event count). An event fires
/// when e_j goes from > 0 to ≤ 0 (one direction only, so the caller chooses it by the sign).
public typealias ODEEventFunction = (Double, UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void
