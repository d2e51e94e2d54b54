import Testing
import Foundation
import SpecgdSupport

@Suite struct CLISmokeTests {
    @Test func versionAndHelp() throws {
        let version = try SpecgdProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == SpecgdVersion.string)
        let help = try SpecgdProcess.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("theory") && help.stdout.contains("simulate"))
    }

    @Test func unknownCommandFailsCleanly() throws {
        let result = try SpecgdProcess.run(["no-such-command"])
        #expect(result.status != 0)
        #expect(!result.stderr.isEmpty)
    }
}
