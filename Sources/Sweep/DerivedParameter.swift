import Model
import Foundation
import SpecgdSupport

/// A model option that follows the grid instead of being an axis: `--derive 'alpha=1/dim'`
/// or `--derive 'lr=0.1/sqrt(dim)'` sets it in every cell from that cell's values, so one
/// sweep holds α = 1/d for every d. Evaluated after the axes, in the order given (a later one
/// may use an earlier one); integer options are rounded like grid values.
public struct DerivedParameter: Sendable, Codable, Equatable {
    var parameter: SweepParameter
    /// The expression as written (sweep.json keeps it; it is parsed again when read back).
    var expression: String
    let formula: Formula

    public var name: String { parameter.rawValue }

    private enum CodingKeys: String, CodingKey { case parameter, expression }

    init(parameter: SweepParameter, expression: String, mode: SweepMode) throws {
        self.parameter = parameter
        self.expression = expression
        formula = try Formula.parse(expression, mode: mode)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        parameter = try container.decode(SweepParameter.self, forKey: .parameter)
        expression = try container.decode(String.self, forKey: .expression)
        // The mode is not known here; every parameter name parses, and the mode's check ran
        // when the sweep was made. A hand-edited record is refused as the option would be.
        do {
            formula = try Formula.parse(expression, mode: .simulate)
        } catch let error as InputError {
            throw Self.naming(error, spec: parameter.rawValue + "=" + expression)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(parameter, forKey: .parameter)
        try container.encode(expression, forKey: .expression)
    }

    public static func == (a: Self, b: Self) -> Bool { a.parameter == b.parameter && a.expression == b.expression }

    /// Parses `name=expression` (one `--derive`); every failure is one line naming the spec.
    public static func parse(_ spec: String, mode: SweepMode) throws -> DerivedParameter {
        guard let equals = spec.firstIndex(of: "=") else {
            throw InputError("derive '\(spec)': expected name=expression, e.g. alpha=1/dim")
        }
        let name = spec[..<equals].trimmingCharacters(in: .whitespaces)
        let body = String(spec[spec.index(after: equals)...])
        do {
            let parameter = try SweepParameter.named(name, mode: mode)
            guard !parameter.isName else { throw InputError("\(name) takes words; make it a grid axis (e.g. --grid \(name)=\(parameter.names.prefix(2).joined(separator: ",")))") }
            return try DerivedParameter(parameter: parameter, expression: body, mode: mode)
        } catch let error as InputError {
            throw naming(error, spec: spec)
        }
    }

    /// `error` as a line naming the option; a hostile or generated spec can be long, so the
    /// line quotes its start only.
    static func naming(_ error: InputError, spec: String) -> InputError {
        error.prefixed("--derive '\(spec.count > 40 ? spec.prefix(40) + "…" : spec)': ")
    }

    /// The value in a cell whose other options are `point` (rounded for an integer option).
    public func value(at point: ModelPoint) -> Double {
        let v = formula.evaluate { point.value($0) }
        return parameter.isInteger && v.isFinite ? v.rounded() : v
    }
}

/// A small arithmetic expression over numbers and option names: + − * / ^ (right-associative,
/// above unary minus: −2^2 = −4), sqrt, log (natural), exp and parentheses. Parsed by
/// recursive descent into a tree that is only ever evaluated — never `eval`ed — so a
/// `--derive` can compute nothing but a number. Nesting is bounded (`maximumDepth`): the
/// parser, the evaluation and the tree's release all recurse, and 2·10⁴ parentheses or a
/// 3·10⁴-term sum would otherwise overflow the stack.
indirect enum Formula: Sendable, Equatable {
    case number(Double)
    case name(SweepParameter)
    case negate(Formula)
    case binary(Character, Formula, Formula)
    case call(Function, Formula)

    enum Function: String, Sendable, CaseIterable { case sqrt, log, exp }

    /// The deepest an expression may nest: parentheses, signs, functions and exponents each
    /// open a level, and so does every operator of a chain (`1+1+1` is two levels deep).
    static let maximumDepth = 200

    func evaluate(_ lookup: (SweepParameter) -> Double) -> Double {
        switch self {
        case let .number(v): return v
        case let .name(p): return lookup(p)
        case let .negate(f): return -f.evaluate(lookup)
        case let .binary(op, l, r):
            let a = l.evaluate(lookup), b = r.evaluate(lookup)
            switch op {
            case "+": return a + b
            case "-": return a - b
            case "*": return a * b
            case "/": return a / b
            default: return pow(a, b)
            }
        case let .call(function, f):
            let v = f.evaluate(lookup)
            switch function {
            case .sqrt: return v.squareRoot()
            case .log: return Foundation.log(v)
            case .exp: return Foundation.exp(v)
            }
        }
    }

    /// The option names it reads.
    var names: Set<SweepParameter> {
        switch self {
        case .number: return []
        case let .name(p): return [p]
        case let .negate(f), let .call(_, f): return f.names
        case let .binary(_, l, r): return l.names.union(r.names)
        }
    }

    static func parse(_ text: String, mode: SweepMode) throws -> Formula {
        var parser = Parser(characters: Array(text), mode: mode)
        let formula = try parser.sum().formula
        parser.skipSpaces()
        guard parser.position == parser.characters.count else {
            throw InputError("unexpected '\(parser.characters[parser.position])' at position \(parser.position + 1)")
        }
        return formula
    }

    /// A subtree and its height (a leaf is 1).
    private typealias Node = (formula: Formula, height: Int)

    private struct Parser {
        let characters: [Character]
        let mode: SweepMode
        var position = 0
        /// Levels of recursion open now (each goes through `unary`).
        var depth = 0

        init(characters: [Character], mode: SweepMode) {
            self.characters = characters
            self.mode = mode
        }

        mutating func skipSpaces() {
            while position < characters.count, characters[position] == " " { position += 1 }
        }

        mutating func peek() -> Character? {
            skipSpaces()
            return position < characters.count ? characters[position] : nil
        }

        static let tooDeep = InputError("the expression nests more than \(Formula.maximumDepth) levels deep "
                                        + "(parentheses, signs, functions and chained operators each count)")

        /// The node, if its height is within the bound.
        func bounded(_ node: Node) throws -> Node {
            guard node.height <= Formula.maximumDepth else { throw Self.tooDeep }
            return node
        }

        mutating func sum() throws -> Node {
            var left = try product()
            while let op = peek(), op == "+" || op == "-" {
                position += 1
                let right = try product()
                left = try bounded((.binary(op, left.formula, right.formula), max(left.height, right.height) + 1))
            }
            return left
        }

        mutating func product() throws -> Node {
            var left = try unary()
            while let op = peek(), op == "*" || op == "/" {
                position += 1
                let right = try unary()
                left = try bounded((.binary(op, left.formula, right.formula), max(left.height, right.height) + 1))
            }
            return left
        }

        mutating func unary() throws -> Node {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Formula.maximumDepth else { throw Self.tooDeep }
            if let op = peek(), op == "-" || op == "+" {
                position += 1
                let operand = try unary()
                return op == "-" ? try bounded((.negate(operand.formula), operand.height + 1)) : operand
            }
            return try power()
        }

        mutating func power() throws -> Node {
            let base = try primary()
            if peek() == "^" {
                position += 1
                let exponent = try unary()
                return try bounded((.binary("^", base.formula, exponent.formula), max(base.height, exponent.height) + 1))
            }
            return base
        }

        mutating func primary() throws -> Node {
            guard let c = peek() else { throw InputError("the expression ends too early") }
            if c == "(" {
                position += 1
                let inner = try sum()
                guard peek() == ")" else { throw InputError("missing ')' at position \(position + 1)") }
                position += 1
                return inner
            }
            if c.isNumber || c == "." {
                let start = position
                while position < characters.count, characters[position].isNumber || characters[position] == "." {
                    position += 1
                }
                // An exponent: 1e-3, 2.5E4.
                if position < characters.count, characters[position] == "e" || characters[position] == "E" {
                    var end = position + 1
                    if end < characters.count, characters[end] == "-" || characters[end] == "+" { end += 1 }
                    if end < characters.count, characters[end].isNumber {
                        position = end
                        while position < characters.count, characters[position].isNumber { position += 1 }
                    }
                }
                let text = String(characters[start..<position])
                guard let value = Double(text), value.isFinite else { throw InputError("'\(text)' is not a number") }
                return (.number(value), 1)
            }
            if c.isLetter {
                let start = position
                while position < characters.count, characters[position].isLetter || characters[position].isNumber
                        || characters[position] == "_" {
                    position += 1
                }
                let word = String(characters[start..<position])
                if let function = Function(rawValue: word) {
                    guard peek() == "(" else { throw InputError("\(word) needs parentheses: \(word)(…)") }
                    position += 1
                    let argument = try sum()
                    guard peek() == ")" else { throw InputError("missing ')' at position \(position + 1)") }
                    position += 1
                    return try bounded((.call(function, argument.formula), argument.height + 1))
                }
                // escape-threshold is written escape_threshold here ('-' is minus).
                let allowed = SweepParameter.allCases.filter { $0.applies(to: mode) && !$0.isName }
                guard let parameter = SweepParameter(rawValue: word.replacingOccurrences(of: "_", with: "-")),
                      parameter.applies(to: mode), !parameter.isName else {
                    let names = allowed.map { $0.rawValue.replacingOccurrences(of: "-", with: "_") }
                    throw InputError("unknown name '\(word)'; names: \(names.joined(separator: ", ")); functions: sqrt, log, exp")
                }
                return (.name(parameter), 1)
            }
            throw InputError("unexpected '\(c)' at position \(position + 1)")
        }
    }
}

extension ModelPoint {
    /// The value of one sweepable option (the inverse of `set`).
    public func value(_ parameter: SweepParameter) -> Double {
        switch parameter {
        case .lambda: return lambda
        case .lr: return learningRate
        case .dim: return Double(dimension)
        case .alpha: return alpha
        case .steps: return Double(steps)
        case .escapeThreshold: return escapeThreshold
        case .width: return Double(width ?? dimension)
        case .samples: return samples.map(Double.init) ?? .nan
        case .seed: return Double(seed)
        case .batch: return batch.map(Double.init) ?? .nan
        case .momentum: return optimizerOptions?.momentum ?? 0
        case .weightDecay: return optimizerOptions?.weightDecay ?? 0
        case .beta1: return optimizer.beta1 ?? .nan
        case .beta2: return optimizer.beta2 ?? .nan
        case .nsSteps: return optimizer.newtonSchulzSteps.map(Double.init) ?? .nan
        case .adamEps: return optimizer.adamEpsilon ?? .nan
        case .precondEps: return optimizer.preconditionerEpsilon ?? .nan
        case .beta: return experiment.beta
        case .signalIndex: return Double(experiment.signalIndex)
        case .spike1, .spike2, .spike3, .spike4:
            let spikes = experiment.resolvedSpikes, k = parameter.spikeNumber!
            return k <= spikes.count ? spikes[k - 1] : .nan
        case .method, .polar, .nesterov, .covariance: return .nan  // words: neither derived nor in a formula
        }
    }
}
