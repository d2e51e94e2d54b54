import Foundation
import Machine
import Testing
import SpecgdSupport

/// The kernel choice as a pure function of (loaded core, environment, CPU features).
@Suite struct BLASKernelTests {
    static let emeraldRapids = CPUFeatures(vendor: "GenuineIntel", brand: "Intel(R) Xeon(R) Platinum 8592+",
                                           family: 6, model: 207, avx: true, avx2: true, fma: true, avx512: true)
    static let zen3 = CPUFeatures(vendor: "AuthenticAMD", brand: "AMD EPYC 7B13", family: 25, model: 1,
                                  avx: true, avx2: true, fma: true)
    static let sseOnly = CPUFeatures(vendor: "GenuineIntel", brand: "old")

    @Test func genericKernelOnAnAVX512CPUSwitchesToSkylakeX() {
        let decision = BLASKernel.decide(loadedCore: "Prescott", environment: [:], cpu: Self.emeraldRapids)
        guard case .switchTo(let core, let reason) = decision else { Issue.record("kept \(decision)"); return }
        #expect(core == "SkylakeX")
        #expect(reason.contains("Prescott") && reason.contains("OPENBLAS_CORETYPE=SkylakeX"))
        #expect(!reason.contains("\n"))
    }

    @Test func avx2CPUsGetHaswellOrZen() {
        let intel = CPUFeatures(vendor: "GenuineIntel", avx: true, avx2: true, fma: true)
        #expect(BLASKernel.decide(loadedCore: "Prescott", environment: [:], cpu: intel)
                    == .switchTo(coreType: "Haswell", reason: reason("Prescott", intel)))
        guard case .switchTo(let core, _) = BLASKernel.decide(loadedCore: "Prescott", environment: [:], cpu: Self.zen3) else {
            Issue.record("kept"); return
        }
        #expect(core == "Zen")
    }

    private func reason(_ loaded: String, _ cpu: CPUFeatures) -> String {
        guard case .switchTo(_, let r) = BLASKernel.decide(loadedCore: loaded, environment: [:], cpu: cpu) else { return "" }
        return r
    }

    @Test func aRecognisedKernelIsKept() {
        #expect(BLASKernel.decide(loadedCore: "SkylakeX", environment: [:], cpu: Self.emeraldRapids) == .keep)
        #expect(BLASKernel.decide(loadedCore: "Zen", environment: [:], cpu: Self.zen3) == .keep)
        // Never a kernel the CPU cannot execute: an AVX2-only CPU keeps Haswell, an SSE CPU keeps Prescott.
        #expect(BLASKernel.decide(loadedCore: "Haswell", environment: [:], cpu: Self.zen3) == .keep)
        #expect(BLASKernel.decide(loadedCore: "Prescott", environment: [:], cpu: Self.sseOnly) == .keep)
    }

    @Test func theUsersSettingIsNeverOverridden() {
        let env = [BLASKernel.coreTypeVariable: "Prescott"]
        #expect(BLASKernel.decide(loadedCore: "Prescott", environment: env, cpu: Self.emeraldRapids) == .keep)
        #expect(BLASKernel.chooser(environment: env) == .user)
    }

    @Test func aReexecutedProcessDoesNotTryAgain() {
        // Even if the chosen kernel did not load (a build without DYNAMIC_ARCH), no loop.
        let env = [BLASKernel.coreTypeVariable: "SkylakeX", BLASKernel.chosenVariable: "SkylakeX"]
        #expect(BLASKernel.decide(loadedCore: "Prescott", environment: env, cpu: Self.emeraldRapids) == .keep)
        #expect(BLASKernel.chooser(environment: env) == .specgd)
        #expect(BLASKernel.chooser(environment: [:]) == .openblas)
        // The user changed OPENBLAS_CORETYPE after specgd chose: the user's.
        #expect(BLASKernel.chooser(environment: [BLASKernel.coreTypeVariable: "Haswell", BLASKernel.chosenVariable: "SkylakeX"]) == .user)
    }

    @Test func coreLevelsFollowOpenBLASNames() {
        #expect(BLASKernel.level(ofCore: "Prescott") == .generic)
        #expect(BLASKernel.level(ofCore: "Nehalem") == .generic)
        #expect(BLASKernel.level(ofCore: "Sandybridge") == .avx)
        #expect(BLASKernel.level(ofCore: "haswell") == .avx2)
        #expect(BLASKernel.level(ofCore: "Zen") == .avx2)
        #expect(BLASKernel.level(ofCore: "SkylakeX") == .avx512)
        #expect(BLASKernel.level(ofCore: "Cooperlake") == .avx512)
    }

    @Test func thisMachineIsDescribed() throws {
        let machine = MachineDescription.current
        #expect(!machine.blas.kernel.isEmpty)
        #expect(machine.blas.configuration.hasPrefix("OpenBLAS"))
        #expect(machine.blas.threads >= 1)
        #expect(machine.gsl.split(separator: ".").count >= 2)
        #expect(machine.processor.logicalCores >= 1)
        // The loaded kernel never uses instructions the CPU lacks.
        #expect(BLASKernel.level(ofCore: machine.blas.kernel) <= CPUFeatures.current.level)
        let json = try JSONOutput.encode(machine)
        let decoded = try JSONOutput.decoder().decode(MachineDescription.self, from: json)
        #expect(decoded == machine)
    }
}
