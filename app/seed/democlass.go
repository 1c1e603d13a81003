package seed

// demoClass is a demo risk's type and threat objectives (seed 002's
// classifications), keyed by the risk's title.
type demoClass struct {
	Type       string   // code configuration control_deficiency policy procedural vulnerability third_party
	Objectives []string // sabotage data_disclosure extortion customer_targeting resource_hijacking fraud
}

var demoClasses = map[string]demoClass{
	"Ransomware outbreak on the warehouse management system":  {"vulnerability", []string{"sabotage", "extortion"}},
	"Insolvency of our primary long-haul road carrier":        {"third_party", nil},
	"Shipping manifests emailed to the wrong customer":        {"procedural", []string{"data_disclosure"}},
	"Cloud region outage takes down shipment tracking":        {"third_party", nil},
	"Finance team targeted by invoice redirection phishing":   {"control_deficiency", []string{"fraud"}},
	"Cooling failure in the on-premises server room":          {"configuration", nil},
	"Insider theft of high-value consumer electronics":        {"control_deficiency", []string{"fraud"}},
	"Lock-in to the transport management SaaS vendor":         {"third_party", nil},
	"Unpatched VPN appliance exploited by attackers":          {"vulnerability", []string{"data_disclosure", "extortion", "resource_hijacking"}},
	"Truck telematics data exposed through vendor API":        {"third_party", []string{"data_disclosure", "customer_targeting"}},
	"Missed NIS2 incident reporting deadlines":                {"procedural", nil},
	"Legacy EDI gateway reaches end of support":               {"vulnerability", []string{"sabotage"}},
	"ERP backups have never been restored in a test":          {"control_deficiency", []string{"extortion"}},
	"Conflict of interest in carrier tendering decisions":     {"policy", []string{"fraud"}},
	"Staff paste customer data into generative AI tools":      {"policy", []string{"data_disclosure"}},
	"Agency warehouse workers start before background checks": {"procedural", []string{"fraud", "sabotage"}},
	"Risk appetite statement not approved by the board":       {"policy", nil},
	"Expired TLS certificate breaks the customer booking API": {"configuration", []string{"customer_targeting"}},
	"Shared admin password on handheld warehouse scanners":    {"configuration", []string{"data_disclosure", "resource_hijacking"}},
	"Wrong on-time delivery figures sent to customers":        {"code", nil},
	"Misstated inventory valuation at quarter end":            {"control_deficiency", []string{"fraud"}},
	"Single-source supplier for thermal shipping labels":      {"third_party", nil},
}
