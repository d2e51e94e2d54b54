import Testing
import Foundation
import SpecgdSupport

@Suite struct SimulateCLITests {
    private let columns = "step,a,b,c,q,loss,alignment,spike_alignment,train_loss,wall_time"

    @Test func writesTrajectoryAndSidecar() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        let path = dir + "/run.csv"
        let result = try SpecgdProcess.run(["simulate", "--method", "specgd", "--lambda", "8", "--dim", "12",
                                            "--alpha", "0.05", "--lr", "1e-3", "--steps", "100", "--every", "10",
                                            "--output", path])
        #expect(result.status == 0, "\(result.stderr)")
        let table = try Table.readCSV(path)
        #expect(table.columns.joined(separator: ",") == columns)
        #expect(table.rows.count == 11)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run.json"))) as! [String: Any]
        #expect(json["version"] as? String == SpecgdVersion.string)
        let configuration = json["configuration"] as! [String: Any]
        #expect(configuration["method"] as? String == "specgd")
        #expect(configuration["dimension"] as? Int == 12)
        #expect((json["summary"] as! [String: Any])["timings"] != nil)
    }

    @Test func seedsWriteAggregateAndPerSeedFilesReproducibly() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        let arguments = ["simulate", "--dim", "10", "--width", "3", "--init", "gaussian", "--alpha", "0.3",
                         "--lr", "0.01", "--steps", "50", "--every", "10", "--samples", "40", "--seeds", "3",
                         "--seed", "7", "--no-wall-time"]
        for name in ["a", "b"] {
            let result = try SpecgdProcess.run(arguments + ["--output", "\(dir)/\(name).csv"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let first = try Data(contentsOf: URL(fileURLWithPath: dir + "/a.csv"))
        #expect(first == (try Data(contentsOf: URL(fileURLWithPath: dir + "/b.csv"))))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/a.seeds.csv")) ==
                Data(contentsOf: URL(fileURLWithPath: dir + "/b.seeds.csv")))
        let aggregate = try Table.readCSV(dir + "/a.csv")
        #expect(aggregate.columns.contains("loss_std") && aggregate.columns.contains("a_q90"))
        let seeds = try Table.readCSV(dir + "/a.seeds.csv")
        #expect(seeds.columns.first == "seed" && seeds.rows.count == 18)
    }

    @Test(arguments: [
        (["--width", "0", "--init", "gaussian"], "width"),
        (["--samples", "0"], "samples"),
        (["--width", "3"], "identity"),
        (["--lambda", "-1"], "lambda"),
        (["--alpha", "nan"], "alpha"),
        (["--init", "sideways"], "init"),
    ])
    func badInputFailsWithAMessage(extra: [String], fragment: String) throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        let result = try SpecgdProcess.run(["simulate", "--dim", "8", "--steps", "5"] + extra + ["--output", dir + "/x.csv"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.csv"))
    }

    @Test func divergenceExitsNonZeroNamingTheStep() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        let result = try SpecgdProcess.run(["simulate", "--dim", "8", "--alpha", "1", "--lr", "5", "--steps", "500",
                                            "--output", dir + "/x.csv"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("diverged at step"))
    }

    @Test func covarianceFamiliesAndProfile() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        try "3 2, 1.5\n1 1 0.5".write(toFile: dir + "/spectrum.txt", atomically: true, encoding: .utf8)
        let diagonal = try SpecgdProcess.run(["simulate", "--dim", "6", "--width", "2", "--init", "orthogonal",
                                              "--alpha", "0.3", "--lr", "0.01", "--steps", "20",
                                              "--covariance", "diagonal", "--spectrum", dir + "/spectrum.txt",
                                              "--teacher", "random", "--output", dir + "/d.csv"])
        #expect(diagonal.status == 0, "\(diagonal.stderr)")
        let spikes = try SpecgdProcess.run(["simulate", "--dim", "8", "--spikes", "4,2", "--steps", "10",
                                            "--method", "specgd", "--polar", "ns3", "--output", dir + "/s.csv"])
        #expect(spikes.status == 0, "\(spikes.stderr)")
        let badSpikes = try SpecgdProcess.run(["simulate", "--dim", "8", "--spikes", "4,x", "--output", dir + "/b.csv"])
        #expect(badSpikes.status != 0 && badSpikes.stderr.contains("spikes"))
        let shortSpectrum = try SpecgdProcess.run(["simulate", "--dim", "7", "--covariance", "diagonal",
                                                   "--spectrum", dir + "/spectrum.txt", "--output", dir + "/c.csv"])
        #expect(shortSpectrum.status != 0 && shortSpectrum.stderr.contains("spectrum"))
        let profile = try SpecgdProcess.run(["simulate", "--profile", "--method", "specgd", "--dim", "16",
                                             "--init", "gaussian", "--alpha", "1", "--steps", "2"])
        #expect(profile.status == 0, "\(profile.stderr)")
        #expect(profile.stdout.contains("bareGesdd"))
        // The floor is the sum of the bare calls the method needs: SpecGD all three, GD the gradient's.
        for (method, parts) in [("specgd", ["bareGradientBLAS", "bareGesdd", "bareProductUVt"]), ("gd", ["bareGradientBLAS"])] {
            let run = try SpecgdProcess.run(["simulate", "--profile", "--method", method, "--dim", "24",
                                             "--init", "gaussian", "--alpha", "1", "--lr", "1e-4", "--steps", "2"])
            #expect(run.status == 0, "\(run.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let floor = try #require(json["floor"] as? Double)
            // StepProfile sums floor = gradientBLAS + (bareGesdd + bareProductUVt) (GD: the first
            // alone); the JSON carries each double exactly (shortest round-trip digits), read back
            // by Double(String) (correctly rounded; JSONSerialization's NSNumber route is not
            // exact on Linux), so the same sum in the same association is equal, not close.
            func exact(_ key: String) throws -> Double {
                let line = try #require(run.stdout.split(separator: "\n").first { $0.contains("\"\(key)\" :") })
                let text = line.split(separator: ":")[1].trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
                return try #require(Double(text))
            }
            let values = try parts.map(exact)
            let sum = values.count == 1 ? values[0] : values[0] + (values[1] + values[2])
            let written = try exact("floor")
            #expect(floor > 0 && written == sum, "\(method): \(json)")
        }
        let noOutput = try SpecgdProcess.run(["simulate", "--dim", "8"])
        #expect(noOutput.status != 0 && noOutput.stderr.contains("--output"))
    }
}
