import Foundation
import Machine
import Testing
import SpecgdSupport

/// `specgd info` and the BLAS kernel choice as a user meets it: the process restarts itself
/// once with a better OPENBLAS_CORETYPE, says so in one line, and records who chose.
@Suite struct InfoCommandTests {
    private func machine(_ result: SpecgdProcess.Result) throws -> MachineDescription {
        try JSONOutput.decoder().decode(MachineDescription.self, from: Data(result.stdout.utf8))
    }

    @Test func genericKernelIsReplacedByTheBestTheCPUExecutes() throws {
        // SPECGD_BLAS_ASSUME_GENERIC makes this CPU's kernel count as generic, so the restart
        // path runs on every machine, also on ones OpenBLAS recognises.
        let result = try SpecgdProcess.run(["info", "--json"],
                                           environment: [BLASKernel.assumeGenericVariable: "1", BLASKernel.noticeVariable: "1"],
                                           removing: [BLASKernel.coreTypeVariable, BLASKernel.chosenVariable])
        #expect(result.status == 0)
        let info = try machine(result)
        if let best = BLASKernel.bestCoreType(for: .current) {
            #expect(info.blas.kernel.lowercased() == best.lowercased())
            #expect(info.blas.kernelChosenBy == .specgd)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(lines.first?.contains("OPENBLAS_CORETYPE=\(best)") == true)
        } else {
            #expect(info.blas.kernelChosenBy == .openblas)
            #expect(result.stderr.isEmpty)
        }
    }

    @Test func theUsersCoreTypeIsKeptSilently() throws {
        let result = try SpecgdProcess.run(["info", "--json"],
                                           environment: [BLASKernel.coreTypeVariable: "Prescott", BLASKernel.noticeVariable: "1",
                                                         BLASKernel.assumeGenericVariable: "1"],
                                           removing: [BLASKernel.chosenVariable])
        #expect(result.status == 0)
        let info = try machine(result)
        #expect(info.blas.kernel == "Prescott")
        #expect(info.blas.kernelChosenBy == .user)
        #expect(result.stderr.isEmpty)
    }

    @Test func humanSummaryAndKernelName() throws {
        let text = try SpecgdProcess.run(["info"])
        #expect(text.status == 0)
        for label in ["CPU:", "BLAS:", "kernel", "GSL:"] { #expect(text.stdout.contains(label)) }
        let kernel = try SpecgdProcess.run(["info", "--blas-kernel"])
        let json = try machine(try SpecgdProcess.run(["info", "--json"]))
        #expect(kernel.stdout == json.blas.kernel + "\n")
    }

    @Test func everyRecordCarriesTheMachine() throws {
        let directory = try SpecgdProcess.temporaryDirectory()
        let csv = directory + "/t.csv"
        let run = try SpecgdProcess.run(["theory", "--steps", "10", "--output", csv])
        #expect(run.status == 0)
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/t.json"))) as? [String: Any]
        let machine = record?["machine"] as? [String: Any]
        let blas = machine?["blas"] as? [String: Any]
        #expect((blas?["kernel"] as? String)?.isEmpty == false)
        #expect(blas?["threads"] as? Int == 1)
        #expect(machine?["gsl"] is String)
    }
}
