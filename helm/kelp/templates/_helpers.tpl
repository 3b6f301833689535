{{/* The chart's name, or nameOverride. */}}
{{- define "kelp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's base name: fullnameOverride, else the release name when it already contains the
chart's name (so "helm install kelp" gives "kelp", not "kelp-kelp"), else "<release>-<name>".
*/}}
{{- define "kelp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The operator's objects (Deployment, Service, ServiceAccount, webhook configuration, RBAC):
"kelp-operator" for a release named kelp, which is also what the operator assumes when no
environment says otherwise.
*/}}
{{- define "kelp.operator" -}}
{{- printf "%s-operator" (include "kelp.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kelp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Kubernetes recommended labels. */}}
{{- define "kelp.labels" -}}
helm.sh/chart: {{ include "kelp.chart" . }}
{{ include "kelp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kelp
{{- end }}

{{/* What the Deployment selects its pods by: never changes across upgrades. */}}
{{- define "kelp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kelp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "kelp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kelp.operator" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The self-managed CA and certificate Secret the operator writes (KELP_WEBHOOK_TLS_SECRET). */}}
{{- define "kelp.tlsSecret" -}}
{{- default (printf "%s-webhook-tls" (include "kelp.operator" .)) .Values.webhook.tlsSecretName }}
{{- end }}

{{/* The Secret cert-manager writes the serving certificate into, mounted at webhook.certManager.certDir. */}}
{{- define "kelp.certManagerSecret" -}}
{{- printf "%s-webhook-cert" (include "kelp.operator" .) }}
{{- end }}

{{/* The serving Certificate, named by the inject-ca-from annotation. */}}
{{- define "kelp.certificate" -}}
{{- printf "%s-webhook" (include "kelp.operator" .) }}
{{- end }}

{{/*
Namespaces never injected into, as InjectionWebhookConfiguration.excluded(...): the operator's
own (its pods must start for the webhook to exist) and kube-system.
*/}}
{{- define "kelp.excludedNamespaces" -}}
{{- if eq .Release.Namespace "kube-system" }}
- kube-system
{{- else }}
- {{ .Release.Namespace }}
- kube-system
{{- end }}
{{- end }}

{{- define "kelp.image" -}}
{{- printf "%s:%s" .repository (default .appVersion .tag) }}
{{- end }}
