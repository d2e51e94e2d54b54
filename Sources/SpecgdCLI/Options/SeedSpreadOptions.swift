import ArgumentParser
import Theory

/// `--law-draws`: the draws behind a spread over seeds predicted from the law of W₀
/// (`SeedSpreadSettings`), one declaration for compare, check-escape and sweep, so the option
/// means the same in all three and is checked in one place (the library's
/// `SeedSpreadSettings.validate`). The spread check's bootstrap level and resamples keep the
/// library's defaults.
struct SeedSpreadOptions: ParsableArguments {
    @Option(name: .customLong("law-draws"), parsing: .unconditional,
            help: ArgumentHelp("Draws of the projected start from the law of W₀, each through the exact map, for the spread over seeds predicted from it (default \(SeedSpreadSettings.defaultLawDraws) in compare and check-escape, \(SeedSpreadSettings.defaultSweepLawDraws) per cell in a sweep's predicted_escape_spread; 2 to \(SeedSpreadSettings.maximumLawDraws)).", valueName: "N"))
    var lawDraws: Int?

    func validate() throws { try OptionNames.translating { try settings.validate() } }

    /// The library's settings: the defaults with --law-draws when given.
    var settings: SeedSpreadSettings {
        var s = SeedSpreadSettings()
        if let lawDraws { s.lawDraws = lawDraws }
        return s
    }

    /// The options given (flags, in order): check-escape refuses them with --no-simulation.
    func given() -> [String] { lawDraws == nil ? [] : ["--law-draws"] }
}
