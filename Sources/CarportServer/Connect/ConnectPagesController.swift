import CarportCore
import Vapor

/// The Connect pages under `/connect/:flow`: GET shows the current step; each POST (CSRF-checked) moves the
/// flow on and answers 303 to the next page, or to the application's redirect URI when the flow ends.
struct ConnectPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let flow = routes.grouped("connect", ":flow")
        flow.get(use: show)
        flow.post("continue", use: submit { service, flow, _ in .page(try await service.continueFromPreamble(flow), message: nil) })
        flow.post("brand", use: submit { service, flow, form in try await service.chooseBrand(flow, make: form["brand"] ?? "") })
        flow.post("sign-in", use: signIn)
        flow.post("external", use: submit { service, flow, _ in
            guard let url = try await service.externalSignInURL(flow) else { return .page(flow, message: nil) }
            return .redirect(url)
        })
        routes.get("connect", "oem", "callback", use: externalCallback)
        flow.post("vehicles", use: submit { service, flow, form in try await service.selectVehicles(flow, vins: form.all("vin")) })
        flow.post("consent", use: submit { service, flow, form in
            try await service.decide(
                flow, approve: form["decision"] == "approve",
                permissions: Set(form.all("permission").compactMap(Permission.init(rawValue:))))
        })
    }

    @Sendable func show(request: Request) async throws -> Response {
        try await withFlow(request) { flow in
            let service = request.connectService
            if flow.request.purpose == .embeddedSession, flow.step == .signIn, service.signsInExternally(flow) {
                // The embedding application opens the brand's sign-in itself (its session's next step).
                return request.redirect(to: RedirectURL.build(flow.request.redirectURI, [("step", "external")]), redirectType: .normal)
            }
            return ConnectResponses.page { $0.render(flow, brands: service.availableBrands(flow), message: nil,
                                                     search: request.query[String.self, at: "q"],
                                                     external: service.signsInExternally(flow)) }
        }
    }

    @Sendable func signIn(request: Request) async throws -> Response {
        let throttle = request.carport.signInThrottle
        let address = request.remoteAddress?.ipAddress ?? "unknown"
        if let seconds = throttle.retryAfter(address) {
            let response = ConnectResponses.errorPage(
                title: "Too many sign-in attempts",
                message: "Wait \(seconds / 60 + 1) minutes before you try again.", status: .tooManyRequests)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
            return response
        }
        return try await submit { service, flow, form in
            let next = try await service.signIn(flow, email: form["username"] ?? "", password: form["password"] ?? "")
            if case .page(_, let message?) = next, !message.isEmpty { throttle.recordFailure(address) }
            return next
        }(request)
    }

    /// A POST handler: loads the flow with the CSRF check, runs `step`, and answers with the next page.
    private func submit(
        _ step: @escaping @Sendable (ConnectService, ConnectFlow, FormParameters) async throws -> ConnectService.Next
    ) -> @Sendable (Request) async throws -> Response {
        { request in
            let form = FormParameters(request.body.string)
            return try await withFlow(request, csrfToken: form["csrf_token"] ?? "") { flow in
                let service = request.connectService
                return Self.respond(try await step(service, flow, form), service: service, request: request)
            }
        }
    }

    /// Where the brand's own sign-in (Tesla) returns: `code` or `error`, and the `state` naming the flow.
    @Sendable func externalCallback(request: Request) async throws -> Response {
        let service = request.connectService
        do {
            let next = try await service.completeExternalSignIn(
                state: request.query[String.self, at: "state"] ?? "", code: request.query[String.self, at: "code"],
                error: request.query[String.self, at: "error"], browserSecret: BrowserCookie.secret(of: request))
            return Self.respond(next, service: service, request: request)
        } catch let failure as ConnectService.Failure {
            return Self.page(for: failure)
        }
    }

    /// A step's outcome as HTTP: 303 to the application or to the flow's page, or the page with a message (422).
    private static func respond(_ next: ConnectService.Next, service: ConnectService, request: Request) -> Response {
        switch next {
        case .redirect(let url):
            return request.redirect(to: url, redirectType: .normal)
        case .page(let flow, let message?):
            return ConnectResponses.page({ $0.render(flow, brands: service.availableBrands(flow), message: message, search: nil,
                                                     external: service.signsInExternally(flow)) },
                                         status: .unprocessableEntity)
        case .page(let flow, nil):
            return request.redirect(to: "/connect/\(flow.id.uuidString.lowercased())", redirectType: .normal)
        }
    }

    /// Loads the flow named in the path for this browser (and checks the CSRF token of a submission).
    private func withFlow(
        _ request: Request, csrfToken: String? = nil, _ body: (ConnectFlow) async throws -> Response
    ) async throws -> Response {
        guard let id = request.parameters.get("flow").flatMap(UUID.init(uuidString:)) else {
            return ConnectResponses.errorPage(title: "Page not found", message: "This Connect link is not valid.", status: .notFound)
        }
        let service = request.connectService
        let flow: ConnectFlow
        do {
            let browser = BrowserCookie.secret(of: request)
            if let csrfToken {
                flow = try await service.loadForSubmission(id: id, browserSecret: browser, csrfToken: csrfToken)
            } else {
                flow = try await service.load(id: id, browserSecret: browser)
            }
        } catch let failure as ConnectService.Failure {
            return Self.page(for: failure)
        }
        do {
            return try await body(flow)
        } catch let failure as ConnectService.Failure {
            return Self.page(for: failure)
        }
    }

    private static func page(for failure: ConnectService.Failure) -> Response {
        switch failure {
        case .flowNotFound:
            ConnectResponses.errorPage(title: "This link has ended", message: "Go back to the application and start again.", status: .notFound)
        case .flowExpired:
            ConnectResponses.errorPage(title: "This link has expired", message: "Go back to the application and start again.", status: .gone)
        case .otherBrowser:
            ConnectResponses.errorPage(title: "Open this link in the browser that started it",
                                       message: "For your security, a Connect link works only in the browser where it began.", status: .forbidden)
        case .csrfMismatch:
            ConnectResponses.errorPage(title: "The form expired", message: "Reload the page and try again.", status: .forbidden)
        case .tooManySignInAttempts:
            ConnectResponses.errorPage(title: "Too many sign-in attempts",
                                       message: "Go back to the application and start again later.", status: .tooManyRequests)
        }
    }
}
