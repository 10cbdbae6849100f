import CarportCore
import Foundation
import Testing
@testable import CarportConnectors

@Suite struct SimulatedBrandSignInTests {
    let signIn = SimulatedBrandSignIn()

    @Test func anyCredentialsWorkAndVehiclesFollowFromTheEmail() async throws {
        let first = try await signIn.signIn(applicationID: UUID(), make: "TESLA", email: "Owner@Example.com", password: "x", mode: .test)
        let again = try await signIn.signIn(applicationID: UUID(), make: "TESLA", email: "owner@example.com", password: "other", mode: .test)
        #expect(first == again)
        #expect(first.vehicles.count == 1)
        let vehicle = try #require(first.vehicles.first)
        #expect(vehicle.vin.count == 17 && vehicle.vin.hasPrefix("0SC"))
        #expect(SimulatedCatalog.model(make: "TESLA", name: vehicle.model) != nil)
        let other = try await signIn.signIn(applicationID: UUID(), make: "TESLA", email: "someone@example.com", password: "x", mode: .test)
        #expect(other.vehicles != first.vehicles)
    }

    @Test func plusNHoldsNVehicles() async throws {
        let account = try await signIn.signIn(applicationID: UUID(), make: "KIA", email: "fleet+4@example.com", password: "x", mode: .test)
        #expect(account.vehicles.count == 4)
        #expect(Set(account.vehicles.map(\.vin)).count == 4)
        let smartcarLogin = try await signIn.signIn(applicationID: UUID(), make: "KIA", email: "3-vehicles@smartcar.com", password: "x", mode: .test)
        #expect(smartcarLogin.vehicles.count == 3)
        let elsewhere = try await signIn.signIn(applicationID: UUID(), make: "KIA", email: "3-vehicles@example.com", password: "x", mode: .test)
        #expect(elsewhere.vehicles.count == 1)
    }

    @Test func smartcarTestLoginsPickTheVINAndPowertrain() async throws {
        let phev = try await signIn.signIn(applicationID: UUID(), make: "BMW", email: "0SCBMW00000000001@phev.smartcar.com", password: "x", mode: .test)
        #expect(phev.vehicles.map(\.vin) == ["0SCBMW00000000001"])
        #expect(phev.vehicles.first?.model == "330e")
        await #expect(throws: BrandSignInError.self) {
            try await signIn.signIn(applicationID: UUID(), make: "BMW", email: "0SCBMW00000000001@incompatible.smartcar.com", password: "x", mode: .test)
        }
    }

    @Test func badInputAndLiveModeAreRefused() async {
        await #expect(throws: BrandSignInError.invalidCredentials("Enter the e-mail address of your account.")) {
            try await signIn.signIn(applicationID: UUID(), make: "KIA", email: "nope", password: "x", mode: .test)
        }
        await #expect(throws: BrandSignInError.invalidCredentials("Enter your password.")) {
            try await signIn.signIn(applicationID: UUID(), make: "KIA", email: "a@b.example", password: "", mode: .test)
        }
        #expect(signIn.brands(mode: .live).isEmpty)
        #expect(signIn.brands(mode: .test).count >= 10)
    }

    @Test func catalogHasRealModelsOfEveryPowertrain() {
        #expect(Set(SimulatedCatalog.models.map(\.powertrain)) == [.bev, .phev, .ice])
        for brand in SimulatedCatalog.brands { #expect(!SimulatedCatalog.models(make: brand.make).isEmpty) }
    }
}
