# edgewatcher-syncer: needs iptables (nft and legacy variants, as Debian ships them) and ipset
# userspace; runs with hostNetwork and only the NET_ADMIN capability.
# Built by `make image` from the repository root.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY apis apis
COPY cmd cmd
COPY pkg pkg
COPY registry registry
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/edgewatcher-syncer ./cmd/edgewatcher-syncer

FROM debian:bookworm-slim
RUN apt-get update \
	&& apt-get install -y --no-install-recommends iptables ipset \
	&& rm -rf /var/lib/apt/lists/*
COPY --from=build /out/edgewatcher-syncer /usr/local/bin/edgewatcher-syncer
ENTRYPOINT ["/usr/local/bin/edgewatcher-syncer"]
