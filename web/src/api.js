// The hotline's HTTP API with the operator's bearer token; a refusal becomes an
// ApiError carrying the problem+json's detail and the field it names.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.field = problem?.field ?? problem?.errors?.[0]?.field ?? null;
    this.problem = problem;
  }
}

export class Api {
  constructor(token) {
    this.token = token;
  }

  headers(extra = {}) {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  async request(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: this.headers(body === undefined ? {} : { "Content-Type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (error) {
      throw new ApiError(0, { detail: String(error) });
    }
    if (!response.ok) {
      let problem = null;
      try {
        problem = await response.json();
      } catch {
        problem = null;
      }
      throw new ApiError(response.status, problem);
    }
    return response.status === 204 ? null : response.json();
  }

  get(path) {
    return this.request("GET", path);
  }

  post(path, body = {}) {
    return this.request("POST", path, body);
  }
}

// Swap a one-time sign-in code for the party's operator token.
export async function redeemSignIn(code) {
  const response = await fetch("/v1/console/signin", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code }),
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  return response.json();
}
