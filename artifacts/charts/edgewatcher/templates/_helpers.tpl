{{/* Labels on every object. Selectors use only edgewatcher.selectorLabels, as the kustomize base does. */}}
{{- define "edgewatcher.labels" -}}
app.kubernetes.io/name: edgewatcher
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels of one component: pass (list $ "apiserver"). */}}
{{- define "edgewatcher.selectorLabels" -}}
app.kubernetes.io/name: edgewatcher
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* image: pass (list $ .Values.images.apiserver). */}}
{{- define "edgewatcher.image" -}}
{{- $img := index . 1 -}}
{{- printf "%s:%s" $img.repository (default (index . 0).Chart.AppVersion $img.tag) -}}
{{- end -}}

{{/* The namespace every namespaced object goes to. */}}
{{- define "edgewatcher.namespace" -}}
{{- required "namespace is required" .Values.namespace -}}
{{- end -}}

{{/* Port of a bind address such as ":10358" or "0.0.0.0:10358"; empty when the listener is disabled. */}}
{{- define "edgewatcher.bindPort" -}}
{{- if and . (ne (toString .) "0") -}}
{{- last (splitList ":" (toString .)) -}}
{{- end -}}
{{- end -}}

{{/* Host of a bind address such as "127.0.0.1:10358" or "[::1]:10358"; empty for all addresses. */}}
{{- define "edgewatcher.bindHost" -}}
{{- $s := toString . -}}
{{- if contains ":" $s -}}
{{- $parts := splitList ":" $s -}}
{{- $host := trimPrefix "[" (trimSuffix "]" (join ":" (initial $parts))) -}}
{{- if not (has $host (list "" "0.0.0.0" "::")) -}}{{ $host }}{{- end -}}
{{- end -}}
{{- end -}}
