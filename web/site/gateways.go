package site

import "github.com/mtlsplay/mtlsplay/internal/gateway"

// gatewayOption is one entry of the playground's gateway selector.
type gatewayOption struct {
	Name, Label, Title string
}

// gatewayLabels spells each gateway as its makers do; a profile missing here shows its name.
var gatewayLabels = map[string]string{
	"workato": "Workato", "nginx": "nginx", "haproxy": "HAProxy", "caddy": "Caddy",
	"envoy": "Envoy", "traefik": "Traefik", "cloudflare": "Cloudflare",
	"aws-apigw": "AWS API Gateway", "aws-alb": "AWS ALB", "azure-apim": "Azure API Management",
}

// gatewayOptions lists gateway.Profiles in their order, Workato (the default) first.
func gatewayOptions() []gatewayOption {
	ps := gateway.Profiles()
	out := make([]gatewayOption, len(ps))
	for i, p := range ps {
		label := gatewayLabels[p.Name]
		if label == "" {
			label = p.Name
		}
		out[i] = gatewayOption{Name: p.Name, Label: label, Title: p.Title}
	}
	return out
}
