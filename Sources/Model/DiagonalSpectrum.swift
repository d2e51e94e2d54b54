import Foundation
import SpecgdSupport

/// An explicit diagonal Σ = diag(σ_1 … σ_d) (`CovarianceKind.diagonal`): read from a file and
/// checked the same way by both backends.
package enum DiagonalSpectrum {
    /// The eigenvalues in a text file, separated by whitespace or commas.
    package static func read(file path: String) throws -> [Double] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw InputError("cannot read spectrum file \(path)")
        }
        let fields = text.split { $0 == "," || $0.isWhitespace }
        return try fields.map { field in
            guard let value = Double(field) else { throw InputError("spectrum file \(path): '\(field)' is not a number") }
            return value
        }
    }

    /// The one spectrum check of both backends: a diagonal covariance needs exactly d positive
    /// eigenvalues, and any other covariance would ignore a spectrum, so it is refused.
    package static func validate(_ spectrum: [Double]?, covariance: CovarianceKind, dimension: Int) throws {
        guard covariance == .diagonal else {
            if spectrum != nil {
                throw InputError("\(InputError.field("spectrum")) applies to \(InputError.field("covariance")) diagonal only (got \(InputError.field("covariance")) \(covariance.rawValue))")
            }
            return
        }
        guard let spectrum else {
            throw InputError("\(InputError.field("covariance")) diagonal needs \(InputError.field("spectrum")) (a file of d eigenvalues)")
        }
        guard spectrum.count == dimension else {
            throw InputError("\(InputError.field("spectrum")) has \(spectrum.count) values for \(InputError.field("dimension")) \(dimension)")
        }
        for value in spectrum { try Validate.positive(value, "spectrum value") }
    }
}
