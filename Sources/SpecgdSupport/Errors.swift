import Foundation

/// A problem with what the user asked for: printed as one line, exit status non-zero.
/// Every validation failure in the toolkit is one of these, never a trap.
///
/// Library messages name configuration fields (`dimension`, `learningRate`), never a front
/// end's spelling of them: a field is written `\(InputError.field("dimension"))` inside the
/// message, which reads as the plain name in `description` and lets a front end show its own
/// name with `rendered(_:)` (the CLI shows `--dim`; see SpecgdCLI's `OptionNames`).
public struct InputError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// The message with its field names marked (see `field(_:)`).
    let template: String
    public init(_ message: String) { template = message }
    /// "<field> <message>": the common shape of a range error.
    public init(field: String, _ message: String) { template = Self.field(field) + " " + message }

    /// The message with the plain field names.
    public var message: String { rendered { $0 } }
    public var description: String { message }
    public var errorDescription: String? { message }

    /// The same error with `context` in front ("cell 3 (lambda=2): …"), its fields still marked.
    package func prefixed(_ context: String) -> InputError { InputError(context + template) }

    /// The configuration fields this message names, in order.
    package var fields: [String] {
        template.split(separator: Self.open, omittingEmptySubsequences: false).dropFirst().compactMap {
            $0.split(separator: Self.close, maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        }
    }

    /// The message with each marked field replaced by `name(field)` (the field itself when nil).
    package func rendered(_ name: (String) -> String?) -> String {
        var result = "", rest = Substring(template)
        while let start = rest.firstIndex(of: Self.open), let end = rest[start...].firstIndex(of: Self.close) {
            result += rest[..<start]
            let field = String(rest[rest.index(after: start)..<end])
            result += name(field) ?? field
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    /// A configuration field's name, marked for `rendered(_:)`, to embed in a message.
    package static func field(_ name: String) -> String { "\(open)\(name)\(close)" }

    // Private-use code points: they cannot occur in a field name or in text a user typed.
    private static let open: Character = "\u{E000}", close: Character = "\u{E001}"

    public static func == (lhs: InputError, rhs: InputError) -> Bool { lhs.message == rhs.message }
}

/// A numerical routine that failed on input it accepts: a LAPACK factorisation reporting
/// info ≠ 0, GSL unable to allocate its driver, a Filippov flow switching without end. Not
/// the user's mistake (that is `InputError`) and not the dynamics blowing up (that is
/// `DivergenceError`): the message names the routine and what it reported.
package struct NumericalFailure: Error, CustomStringConvertible, LocalizedError, Equatable {
    package let routine: String
    package let detail: String
    package init(_ routine: String, _ detail: String) {
        self.routine = routine
        self.detail = detail
    }
    package var description: String { "numerical failure in \(routine): \(detail)" }
    package var errorDescription: String? { description }
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

/// Input checks shared by every command, each producing a one-line `InputError`. `name` is
/// the configuration field checked (marked, so the CLI shows its flag) or, for values that are
/// not a field of their own ("spectrum value"), a plain description with spaces.
package enum Validate {
    /// A field name is marked; a description (it has a space) stays text.
    static func subject(_ name: String) -> String {
        name.contains(" ") ? name : InputError.field(name)
    }
    package static func finite(_ value: Double, _ name: String) throws {
        guard value.isFinite else { throw InputError("\(subject(name)) must be a finite number (got \(value))") }
    }
    package static func positive(_ value: Double, _ name: String) throws {
        try finite(value, name)
        guard value > 0 else { throw InputError("\(subject(name)) must be > 0 (got \(value))") }
    }
    package static func nonNegative(_ value: Double, _ name: String) throws {
        try finite(value, name)
        guard value >= 0 else { throw InputError("\(subject(name)) must be >= 0 (got \(value))") }
    }
    package static func atLeast(_ value: Int, _ minimum: Int, _ name: String) throws {
        guard value >= minimum else { throw InputError("\(subject(name)) must be >= \(minimum) (got \(value))") }
    }
    /// The initial scale α of W₀: α = 0 is a fixed point of both methods (∇L = 0 at W = 0) and a
    /// negative α is the mirror image of a positive one, so only α > 0 is a run of its own.
    package static func initialScale(_ alpha: Double, _ name: String = "alpha") throws {
        try finite(alpha, name)
        guard alpha > 0 else {
            throw InputError("\(subject(name)) must be > 0 (got \(alpha)): α = 0 is a fixed point and a negative α mirrors a positive one")
        }
    }

    /// The fields of a comma-separated option value, trimmed; an empty field ("1,,2", a
    /// trailing comma) or an empty list is refused, naming the option.
    package static func fields(_ text: String, _ option: String) throws -> [String] {
        let fields = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw InputError("\(option) needs at least one value") }
        if fields.contains(where: \.isEmpty) { throw InputError("\(option): empty field in '\(text)'") }
        return fields
    }

    /// A comma-separated list of numbers (`--lambdas 1,2,4`, `--spikes 8,4`).
    package static func numbers(_ text: String, _ option: String) throws -> [Double] {
        try fields(text, option).map { field in
            guard let value = Double(field), value.isFinite else { throw InputError("\(option): '\(field)' is not a finite number") }
            return value
        }
    }

    /// λ parametrises Σ = I + λ v vᵀ, which is positive definite only for λ > −1.
    package static func spike(_ lambda: Double, _ name: String = "lambda") throws {
        try finite(lambda, name)
        guard lambda > -1 else { throw InputError("\(subject(name)) must be > -1 so that Σ = I + λvvᵀ is positive definite (got \(lambda))") }
    }
}
