/// dy/dt = f(t, y) for `dimension` unknowns, written with the raw buffers GSL hands over so
/// the right-hand side never allocates.
package struct ODESystem {
    /// f(t, y, dydt): write f into `dydt` (length `dimension`).
    package typealias RightHandSide = (Double, UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    /// J(t, y, dfdy, dfdt): write ∂f_i/∂y_j row-major into `dfdy` (dimension²) and ∂f/∂t into `dfdt`.
    package typealias Jacobian = (Double, UnsafePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void

    /// f written as a C function GSL calls directly with `context` as its `params`.
    package typealias DirectRightHandSide = @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32

    /// An optional direct form of the right-hand side for hot, small systems: GSL calls the C
    /// function itself, so a call costs what it costs in C (no closure context, no
    /// retain/release — callgrind showed those at ~40% of a 3-group flow). It must compute
    /// exactly what `rightHandSide` computes; `owner` keeps `context` alive.
    package struct Direct {
        package var function: DirectRightHandSide
        package var context: UnsafeMutableRawPointer
        package var owner: AnyObject
        package init(function: DirectRightHandSide, context: UnsafeMutableRawPointer, owner: AnyObject) {
            self.function = function
            self.context = context
            self.owner = owner
        }
    }

    package let dimension: Int
    package var rightHandSide: RightHandSide
    package var jacobian: Jacobian?
    /// Used by `ODESolver` for steppers that need no Jacobian (GSL has one `params` pointer).
    package var direct: Direct?

    package init(dimension: Int, rightHandSide: @escaping RightHandSide, jacobian: Jacobian? = nil) {
        self.dimension = dimension
        self.rightHandSide = rightHandSide
        self.jacobian = jacobian
    }
}

/// Event functions e_j(t, y) written into `values` (length = event count). An event fires
/// when e_j goes from > 0 to ≤ 0 (one direction only, so the caller chooses it by the sign).
package typealias ODEEventFunction = (Double, UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void
