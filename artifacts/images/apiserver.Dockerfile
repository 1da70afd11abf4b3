# edgewatcher-apiserver: a static binary on distroless, running as non-root.
# Built by `make image` from the repository root.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY apis apis
COPY cmd cmd
COPY pkg pkg
COPY registry registry
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/edgewatcher-apiserver ./cmd/edgewatcher-apiserver

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/edgewatcher-apiserver /edgewatcher-apiserver
USER 65532:65532
ENTRYPOINT ["/edgewatcher-apiserver"]
