/// The registry of update rules beyond the built-in methods (gd, specgd, signgd, adam): one
/// line per rule, in the order the CLI lists them. Everything that offers a choice of method
/// reads this list (docs/architecture.md "Add an update rule").
public enum UpdateRules {
    public static let all: [any UpdateRule.Type] = [
        Lion.self,
        PolarGrad.self,
        Shampoo.self,
    ]

    /// The rule whose CLI word is `word`.
    public static func named(_ word: String) -> (any UpdateRule.Type)? {
        all.first { $0.name == word }
    }
}
