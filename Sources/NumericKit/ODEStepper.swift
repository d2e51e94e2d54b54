import CGSL
import SpecgdSupport

/// The GSL `odeiv2` steppers, selectable by name on the command line.
///
/// Explicit Runge–Kutta: rk2, rk4 (fixed-order with step doubling), rkf45, rkck, rk8pd
/// (embedded pairs). Implicit: rk1imp, rk2imp, rk4imp (Gauss/implicit Euler with modified
/// Newton), bsimp (Bulirsch–Stoer), msbdf (variable-order BDF) — these need the analytic
/// Jacobian. msadams: variable-order Adams (explicit, no Jacobian).
public enum ODEStepper: String, CaseIterable, Sendable, Codable {
    case rk2, rk4, rkf45, rkck, rk8pd, rk1imp, rk2imp, rk4imp, bsimp, msadams, msbdf

    /// Whether GSL calls the system's Jacobian for this stepper.
    public var needsJacobian: Bool {
        switch self {
        case .rk1imp, .rk2imp, .rk4imp, .bsimp, .msbdf: return true
        default: return false
        }
    }

    /// Multistep methods keep a history; re-stepping from a saved state (event location)
    /// restarts them at low order.
    public var isMultistep: Bool { self == .msadams || self == .msbdf }

    /// Parses a user-supplied name, with a one-line error listing the valid ones.
    public static func named(_ name: String) throws -> ODEStepper {
        guard let stepper = ODEStepper(rawValue: name.lowercased()) else {
            throw InputError("unknown stepper '\(name)' (valid: \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return stepper
    }

    var gslType: UnsafePointer<gsl_odeiv2_step_type> {
        switch self {
        case .rk2: return specgd_step_rk2()
        case .rk4: return specgd_step_rk4()
        case .rkf45: return specgd_step_rkf45()
        case .rkck: return specgd_step_rkck()
        case .rk8pd: return specgd_step_rk8pd()
        case .rk1imp: return specgd_step_rk1imp()
        case .rk2imp: return specgd_step_rk2imp()
        case .rk4imp: return specgd_step_rk4imp()
        case .bsimp: return specgd_step_bsimp()
        case .msadams: return specgd_step_msadams()
        case .msbdf: return specgd_step_msbdf()
        }
    }
}

/// A GSL status other than GSL_SUCCESS, or a state that stopped being finite.
package struct ODEError: Error, CustomStringConvertible, LocalizedError, Equatable {
    package let status: Int32
    package let time: Double
    package let message: String
    package init(status: Int32, time: Double, message: String) {
        self.status = status
        self.time = time
        self.message = message
    }
    package var description: String { "ODE integration failed at t = \(time): \(message)" }
    package var errorDescription: String? { description }
    /// Status used for a non-finite state (not a GSL code).
    package static let nonFiniteStatus: Int32 = -1000
}

import Foundation
