import Foundation

/// A problem with what the user asked for: printed as one line, exit status non-zero.
/// Every validation failure in the toolkit is one of these, never a trap.
public struct InputError: Error, CustomStringConvertible, LocalizedError, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}

/// A run whose state stopped being finite (or exploded past `limit`).
/// Carries the step (or time) so the user can see where it went wrong.
public struct DivergenceError: Error, CustomStringConvertible, LocalizedError, Equatable {
    public let step: Int
    public let time: Double?
    public let detail: String
    public init(step: Int, time: Double? = nil, detail: String) {
        self.step = step
        self.time = time
        self.detail = detail
    }
    public var description: String {
        if let time { return "diverged at step \(step) (t = \(time)): \(detail)" }
        return "diverged at step \(step): \(detail)"
    }
    public var errorDescription: String? { description }
}

/// Input checks shared by every command, each producing a one-line `InputError`.
public enum Validate {
    public static func finite(_ value: Double, _ name: String) throws {
        guard value.isFinite else { throw InputError("\(name) must be a finite number (got \(value))") }
    }
    public static func positive(_ value: Double, _ name: String) throws {
        try finite(value, name)
        guard value > 0 else { throw InputError("\(name) must be > 0 (got \(value))") }
    }
    public static func nonNegative(_ value: Double, _ name: String) throws {
        try finite(value, name)
        guard value >= 0 else { throw InputError("\(name) must be >= 0 (got \(value))") }
    }
    public static func atLeast(_ value: Int, _ minimum: Int, _ name: String) throws {
        guard value >= minimum else { throw InputError("\(name) must be >= \(minimum) (got \(value))") }
    }
    /// λ parametrises Σ = I + λ v vᵀ, which is positive definite only for λ > −1.
    public static func spike(_ lambda: Double, _ name: String = "lambda") throws {
        try finite(lambda, name)
        guard lambda > -1 else { throw InputError("\(name) must be > -1 so that Σ = I + λvvᵀ is positive definite (got \(lambda))") }
    }
}
