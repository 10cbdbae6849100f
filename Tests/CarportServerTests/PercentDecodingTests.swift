import Testing
@testable import CarportServer

@Suite struct PercentDecodingTests {
    @Test func decodesEscapesAndPlusOnlyInForms() {
        #expect(PercentDecoding.decode("a%20b+c", plusAsSpace: true) == "a b c")
        #expect(PercentDecoding.decode("a%20b+c", plusAsSpace: false) == "a b+c")
        #expect(PercentDecoding.decode("caf%C3%A9%2fx", plusAsSpace: false) == "café/x")
        #expect(PercentDecoding.decode("plain", plusAsSpace: true) == "plain")
    }

    @Test func malformedEscapesAndInvalidUTF8AreRejected() {
        #expect(PercentDecoding.decode("100%", plusAsSpace: true) == nil)
        #expect(PercentDecoding.decode("%4", plusAsSpace: true) == nil)
        #expect(PercentDecoding.decode("%zz", plusAsSpace: true) == nil)
        #expect(PercentDecoding.decode("%FF", plusAsSpace: true) == nil)
    }

    @Test func formParametersKeepMalformedValuesAsSent() {
        let form = FormParameters("a=1%+2&b=x%2By&b=z")
        #expect(form["a"] == "1% 2")
        #expect(form.all("b") == ["x+y", "z"])
    }
}
