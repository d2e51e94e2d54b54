import Model
import Foundation
import NumericKit
import SpecgdSupport

/// Constructors for diagonal covariances Σ = diag(σ_1..σ_d) with θ* on one eigen-direction.
extension GroupedModel {
    /// Groups a diagonal spectrum: the signal direction (`signalIndex`, 1-based) is its own
    /// group "a" (target 1); every other coordinate joins the group of coordinates with
    /// exactly the same eigenvalue (bitwise equal), in order of first appearance. A group is
    /// named `e<i>` after its first coordinate i (1-based). Equal eigenvalues therefore
    /// merge: σ = (1, 1+λ, 1, …, 1) with θ* on index 1 gives the three spiked groups in the
    /// spiked order (signal, spike, bulk), so both paths produce bit-identical trajectories.
    public static func diagonal(eigenvalues: [Double], signalIndex: Int) throws -> GroupedModel {
        guard eigenvalues.count >= 2 else { throw InputError("a diagonal spectrum needs at least 2 eigenvalues (got \(eigenvalues.count))") }
        guard (1...eigenvalues.count).contains(signalIndex) else {
            throw InputError("signal-index must be in 1...\(eigenvalues.count) (got \(signalIndex))")
        }
        for (i, sigma) in eigenvalues.enumerated() { try Validate.positive(sigma, "eigenvalue \(i + 1)") }
        return try GroupedModel(groups: diagonalGrouping(eigenvalues: eigenvalues, signalIndex: signalIndex).groups)
    }

    /// The groups of `diagonal(eigenvalues:signalIndex:)` and, per coordinate (0-based), the
    /// index of its group: the one grouping rule, also what projects a dense W₀ onto the groups
    /// (`GroupedModel.projectedStart`). Arguments as checked by `diagonal`.
    static func diagonalGrouping(eigenvalues: [Double], signalIndex: Int) -> (groups: [Group], coordinateGroups: [Int]) {
        var groups = [Group(name: "a", eigenvalue: eigenvalues[signalIndex - 1], multiplicity: 1, target: 1)]
        var coordinateGroups = [Int](repeating: 0, count: eigenvalues.count)
        var position = [UInt64: Int]()
        for (i, sigma) in eigenvalues.enumerated() where i != signalIndex - 1 {
            if let g = position[sigma.bitPattern] {
                groups[g].multiplicity += 1
                coordinateGroups[i] = g
            } else {
                position[sigma.bitPattern] = groups.count
                coordinateGroups[i] = groups.count
                groups.append(Group(name: "e\(i + 1)", eigenvalue: sigma, multiplicity: 1))
            }
        }
        return (groups, coordinateGroups)
    }

    /// The power-law spectrum σ_i = i^(−β) / m, i = 1..d, with m = (1/d) Σ_j j^(−β) so that
    /// the MEAN eigenvalue is 1 (tr Σ = d, as for the isotropic and, to O(λ/d), the spiked
    /// case). θ* sits on eigen-direction `signalIndex` (1-based; 1 = the largest eigenvalue).
    /// β = 0 gives Σ = I (signal plus one bulk group).
    public static func powerLaw(beta: Double, dimension d: Int, signalIndex: Int) throws -> GroupedModel {
        try Validate.nonNegative(beta, "beta")
        guard d >= 3 else { throw InputError("dim must be >= 3 (got \(d))") }
        return try diagonal(eigenvalues: Spectra.powerLaw(beta: beta, dimension: d), signalIndex: signalIndex)
    }

    /// Custom groups from a JSON file:
    /// `{"groups": [{"name": "a", "eigenvalue": 1, "multiplicity": 1, "target": 1}, …]}`
    /// (`target` defaults to 0). Unreadable or malformed files, and unknown keys (a typo is
    /// never ignored), raise a one-line InputError naming the file and the problem.
    public static func load(configFile path: String) throws -> GroupedModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("cannot read config file \(path)")
        }
        return try decode(config: data, source: path)
    }

    package static func decode(config data: Data, source: String) throws -> GroupedModel {
        let file: GroupConfigFile
        do { try StrictJSON.check(data) } catch let error as InputError { throw error.prefixed("config file \(source): ") }
        do {
            file = try JSONDecoder().decode(GroupConfigFile.self, from: data)
        } catch let error as DecodingError {
            throw InputError("config file \(source): \(describe(error, data: data))")
        } catch {
            throw InputError("config file \(source): \(error.localizedDescription)")
        }
        do {
            return try GroupedModel(groups: file.groups.map {
                Group(name: $0.name, eigenvalue: $0.eigenvalue, multiplicity: $0.multiplicity, target: $0.target ?? 0)
            })
        } catch let error as InputError {
            throw error.prefixed("config file \(source): ")
        }
    }

    private static func describe(_ error: DecodingError, data: Data) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? StrictJSON.explainDecodingFailure(data) ?? "not valid JSON"
                : "invalid value at \(path(context.codingPath))"
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath)
            return "missing key '\(key.stringValue)'" + (at.isEmpty ? "" : " in \(at)")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "expected \(type) at \(path(context.codingPath))"
        @unknown default:
            return "malformed JSON"
        }
    }
}

/// The JSON shape of `--config`.
struct GroupConfigFile: Decodable {
    struct Entry: Decodable {
        var name: String
        var eigenvalue: Double
        var multiplicity: Int
        var target: Double?

        private enum CodingKeys: String, CodingKey, CaseIterable { case name, eigenvalue, multiplicity, target }

        init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            eigenvalue = try c.decode(Double.self, forKey: .eigenvalue)
            multiplicity = try c.decode(Int.self, forKey: .multiplicity)
            target = try c.decodeIfPresent(Double.self, forKey: .target)
        }
    }
    var groups: [Entry]

    private enum CodingKeys: String, CodingKey, CaseIterable { case groups }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        groups = try decoder.container(keyedBy: CodingKeys.self).decode([Entry].self, forKey: .groups)
    }
}
