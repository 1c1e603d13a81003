package seed

// demoPerson is a member of the demo organization.
type demoPerson struct {
	Name  string
	Email string
	Role  string // owner | admin | editor | viewer
}

// demoRisk is one risk of the demo register. Probability and impact are 0–10
// (0 = not assessed); the default matrix bands are 1–2 Very Low, 3–4 Low,
// 5–6 Moderate, 7–8 High, 9–10 Very High.
type demoRisk struct {
	Title               string
	Description         string
	Category            string // customer governance operations other people regulatory reporting resilience technology vendor_management
	Department          string // none admin gov hr it itsm qms
	Status              string // open pending closed archived
	Probability         int
	Impact              int
	ResidualProbability int
	ResidualImpact      int
	Assignee            int // index into demoPeople, or -1 for unassigned
	DueInDays           int // due date relative to the seeding day; 0 = no due date; negative = overdue
	Tags                []string
	ClosureReason       string // only when Status == "closed": eliminated accepted mitigated transferred no_risk
}

// demoPeople are the members of the fictional "Northwind Logistics".
var demoPeople = []demoPerson{
	{Name: "Dana Whitfield", Email: "demo@northwind.example", Role: "owner"},              // 0: Head of Risk & Compliance
	{Name: "Rahul Mehta", Email: "rahul.mehta@northwind.example", Role: "admin"},          // 1: Governance & compliance manager
	{Name: "Ingrid Solberg", Email: "ingrid.solberg@northwind.example", Role: "editor"},   // 2: IT security lead
	{Name: "Marcus Okafor", Email: "marcus.okafor@northwind.example", Role: "editor"},     // 3: HR business partner, health & safety
	{Name: "Lucía Fernández", Email: "lucia.fernandez@northwind.example", Role: "editor"}, // 4: Finance & operations controller
	{Name: "Kenji Watanabe", Email: "kenji.watanabe@northwind.example", Role: "viewer"},   // 5: Internal auditor
}

// demoRisks is the demo risk register of Northwind Logistics.
var demoRisks = []demoRisk{
	// --- open (28) ---
	{
		Title:       "Ransomware outbreak on the warehouse management system",
		Description: "Known vulnerabilities on the warehouse management servers and a flat network let ransomware spread from a single infected office PC. Picking and dispatch would halt at all three distribution centres, breaching customer service levels within hours.",
		Category:    "technology", Department: "it", Status: "open",
		Probability: 7, Impact: 9, ResidualProbability: 5, ResidualImpact: 8,
		Assignee: 2, DueInDays: 30, Tags: []string{"iso27001", "warehouse", "nis2"},
	},
	{
		Title:       "Insolvency of our primary long-haul road carrier",
		Description: "Our main subcontracted carrier moves around 40% of trunk volume and has reported two consecutive loss-making years. If it fails, trailers and drivers disappear overnight and spot-market replacement capacity would cost significantly more.",
		Category:    "vendor_management", Department: "admin", Status: "open",
		Probability: 5, Impact: 9, ResidualProbability: 4, ResidualImpact: 7,
		Assignee: 4, DueInDays: 60, Tags: []string{"supplier", "q3-review"},
	},
	{
		Title:       "Shipping manifests emailed to the wrong customer",
		Description: "Manifests containing consignee names, addresses and phone numbers are sent manually from a shared mailbox. A misdirected email is a personal data breach that may need to be notified to the supervisory authority within 72 hours.",
		Category:    "regulatory", Department: "gov", Status: "open",
		Probability: 6, Impact: 7, ResidualProbability: 3, ResidualImpact: 5,
		Assignee: 1, DueInDays: 45, Tags: []string{"gdpr"},
	},
	{
		Title:       "Forklift collision with pedestrian in busy aisles",
		Description: "Pedestrian walkways are not separated from forklift routes in the older Midlands warehouse. A collision could cause serious injury, a regulator investigation and a stop on operations in the affected zone.",
		Category:    "people", Department: "qms", Status: "open",
		Probability: 5, Impact: 8, ResidualProbability: 3, ResidualImpact: 6,
		Assignee: 3, DueInDays: 14, Tags: []string{"safety", "warehouse"},
	},
	{
		Title:       "Cloud region outage takes down shipment tracking",
		Description: "The customer tracking portal and carrier APIs run in a single cloud region with no warm standby. A regional outage would leave customers and drivers without tracking data until the provider recovers.",
		Category:    "resilience", Department: "it", Status: "open",
		Probability: 3, Impact: 8, ResidualProbability: 3, ResidualImpact: 4,
		Assignee: 2, DueInDays: 90, Tags: []string{"cloud", "nis2"},
	},
	{
		Title:       "Finance team targeted by invoice redirection phishing",
		Description: "Fraudsters impersonate known suppliers and ask accounts payable to change bank details. A single successful payment to a fraudulent account could cost several hundred thousand euros.",
		Category:    "people", Department: "admin", Status: "open",
		Probability: 8, Impact: 7, ResidualProbability: 5, ResidualImpact: 5,
		Assignee: 4, DueInDays: -12, Tags: []string{"finance", "phishing"},
	},
	{
		Title:       "Customs rule changes delay cross-border consignments",
		Description: "Customs declaration requirements and tariff codes change at short notice. If our brokerage templates are not updated in time, shipments are held at the border and storage charges accumulate.",
		Category:    "regulatory", Department: "gov", Status: "open",
		Probability: 6, Impact: 6, ResidualProbability: 4, ResidualImpact: 5,
		Assignee: 1, DueInDays: 120, Tags: []string{"customs"},
	},
	{
		Title:       "Diesel price spike erodes fixed-rate contract margins",
		Description: "Several large customer contracts have fixed rates without a fuel surcharge clause. A sustained rise in diesel prices would turn these contracts loss-making until they are renegotiated.",
		Category:    "other", Department: "none", Status: "open",
		Probability: 8, Impact: 6, ResidualProbability: 8, ResidualImpact: 6,
		Assignee: 4, DueInDays: 0, Tags: []string{"finance"},
	},
	{
		Title:       "Cooling failure in the on-premises server room",
		Description: "The head office server room relies on a single air-conditioning unit that is past its service life. If it fails during a heatwave, servers shut down and label printing and invoicing stop.",
		Category:    "resilience", Department: "itsm", Status: "open",
		Probability: 3, Impact: 7, ResidualProbability: 2, ResidualImpact: 7,
		Assignee: 2, DueInDays: 75, Tags: []string{"datacentre"},
	},
	{
		Title:       "Insider theft of high-value consumer electronics",
		Description: "Smartphones and laptops are stored in general racking with limited CCTV coverage. Organised theft by staff or agency workers would lead to customer claims, higher insurance premiums and reputational damage.",
		Category:    "operations", Department: "admin", Status: "open",
		Probability: 5, Impact: 6, ResidualProbability: 3, ResidualImpact: 5,
		Assignee: 0, DueInDays: 40, Tags: []string{"warehouse", "security"},
	},
	{
		Title:       "Lock-in to the transport management SaaS vendor",
		Description: "Route planning, tendering and billing depend on one SaaS platform with proprietary data formats and no tested export. A steep price increase or product discontinuation would leave us with no quick way to switch.",
		Category:    "vendor_management", Department: "it", Status: "open",
		Probability: 5, Impact: 5, ResidualProbability: 5, ResidualImpact: 4,
		Assignee: 1, DueInDays: 180, Tags: []string{"saas", "supplier"},
	},
	{
		Title:       "Unpatched VPN appliance exploited by attackers",
		Description: "The remote access VPN appliance is two firmware releases behind and a critical vulnerability in that version is being actively exploited. Attackers could gain a foothold in the internal network without any user interaction.",
		Category:    "technology", Department: "it", Status: "open",
		Probability: 7, Impact: 10, ResidualProbability: 3, ResidualImpact: 8,
		Assignee: 2, DueInDays: -5, Tags: []string{"nis2", "iso27001"},
	},
	{
		Title:       "Key-person dependency on senior customs specialist",
		Description: "Only one employee understands our bonded warehouse procedures and authorised economic operator obligations. Their sudden absence would delay declarations and could put the authorisation at risk.",
		Category:    "people", Department: "hr", Status: "open",
		Probability: 6, Impact: 6, ResidualProbability: 3, ResidualImpact: 4,
		Assignee: 3, DueInDays: 60, Tags: []string{"customs"},
	},
	{
		Title:       "Inaccurate emissions figures in the sustainability report",
		Description: "Scope 3 emissions are estimated from subcontractor mileage collected in spreadsheets. Material errors in the published ESG figures would expose us to greenwashing claims and loss of tender eligibility.",
		Category:    "reporting", Department: "gov", Status: "open",
		Probability: 5, Impact: 6, ResidualProbability: 3, ResidualImpact: 4,
		Assignee: 4, DueInDays: 150, Tags: []string{"esg", "csrd"},
	},
	{
		Title:       "Late delivery penalties from major retail account",
		Description: "Our largest retail customer applies automatic penalties for deliveries outside the booked slot. Driver shortages in peak weeks make missed slots more likely, reducing account profitability.",
		Category:    "customer", Department: "admin", Status: "open",
		Probability: 6, Impact: 5, ResidualProbability: 4, ResidualImpact: 4,
		Assignee: 0, DueInDays: 30, Tags: []string{"sla"},
	},
	{
		Title:       "Temperature excursion in the pharmaceutical cold chain",
		Description: "Refrigerated trailers have data loggers but no live alerting. An undetected temperature excursion would force the customer to destroy the batch and could end our good distribution practice certification.",
		Category:    "customer", Department: "qms", Status: "open",
		Probability: 4, Impact: 9, ResidualProbability: 2, ResidualImpact: 8,
		Assignee: 4, DueInDays: 45, Tags: []string{"cold-chain", "gdp"},
	},
	{
		Title:       "Misstated inventory valuation at quarter end",
		Description: "Stock held on behalf of customers is reconciled manually between the warehouse system and the ERP. Reconciliation gaps could lead to misstated balances in the quarterly accounts.",
		Category:    "reporting", Department: "admin", Status: "open",
		Probability: 3, Impact: 6, ResidualProbability: 2, ResidualImpact: 4,
		Assignee: 4, DueInDays: -20, Tags: []string{"finance", "q3-review"},
	},
	{
		Title:       "Truck telematics data exposed through vendor API",
		Description: "The telematics supplier's API returns live vehicle positions with a static key shared across customers. A leaked key would reveal the location of high-value loads to criminals.",
		Category:    "technology", Department: "it", Status: "open",
		Probability: 4, Impact: 6, ResidualProbability: 0, ResidualImpact: 0,
		Assignee: 2, DueInDays: 21, Tags: []string{"supplier", "fleet"},
	},
	{
		Title:       "Service desk overwhelmed during peak season",
		Description: "Ticket volumes triple between November and January while the service desk team stays the same size. Slow response to scanner and printer faults directly delays outbound loading.",
		Category:    "operations", Department: "itsm", Status: "open",
		Probability: 7, Impact: 4, ResidualProbability: 5, ResidualImpact: 3,
		Assignee: 1, DueInDays: 35, Tags: []string{"itil"},
	},
	{
		Title:       "Breach of driver working time rules",
		Description: "Dispatchers under pressure may plan routes that exceed legal driving and rest limits. Infringements found in tachograph audits lead to fines and could threaten the operator licence.",
		Category:    "regulatory", Department: "hr", Status: "open",
		Probability: 5, Impact: 7, ResidualProbability: 3, ResidualImpact: 5,
		Assignee: 3, DueInDays: 30, Tags: []string{"fleet", "compliance"},
	},
	{
		Title:       "Missed NIS2 incident reporting deadlines",
		Description: "There is no agreed procedure for deciding when an IT incident is significant. Late early-warning or incident notifications to the national authority could result in administrative fines.",
		Category:    "regulatory", Department: "itsm", Status: "open",
		Probability: 4, Impact: 7, ResidualProbability: 2, ResidualImpact: 5,
		Assignee: 2, DueInDays: 100, Tags: []string{"nis2"},
	},
	{
		Title:       "Legacy EDI gateway reaches end of support",
		Description: "Orders from most large shippers still arrive through an EDI gateway whose vendor ends security updates next year. Newly discovered vulnerabilities would stay unpatched and a hardware fault could stop order intake.",
		Category:    "technology", Department: "itsm", Status: "open",
		Probability: 5, Impact: 7, ResidualProbability: 4, ResidualImpact: 6,
		Assignee: 2, DueInDays: 120, Tags: []string{"edi", "supplier"},
	},
	{
		Title:       "ERP backups have never been restored in a test",
		Description: "Nightly backups of the finance ERP complete successfully, but a full restore has never been rehearsed. After a serious failure or cyberattack, recovery could take far longer than the business tolerates.",
		Category:    "resilience", Department: "it", Status: "open",
		Probability: 4, Impact: 8, ResidualProbability: 0, ResidualImpact: 0,
		Assignee: 2, DueInDays: -3, Tags: []string{"backup", "iso27001"},
	},
	{
		Title:       "Flooding at the riverside cross-dock facility",
		Description: "The cross-dock site sits in a flood zone and storm events are becoming more frequent. A flood would damage stored goods and force traffic to be rerouted through sites that are already near capacity.",
		Category:    "resilience", Department: "none", Status: "open",
		Probability: 3, Impact: 9, ResidualProbability: 3, ResidualImpact: 7,
		Assignee: 0, DueInDays: 0, Tags: []string{"climate"},
	},
	{
		Title:       "Conflict of interest in carrier tendering decisions",
		Description: "Carrier selection is made by a small team without declarations of interest or a second reviewer. Undisclosed relationships with carriers could result in overpriced contracts and reputational harm.",
		Category:    "governance", Department: "gov", Status: "open",
		Probability: 3, Impact: 5, ResidualProbability: 2, ResidualImpact: 3,
		Assignee: 1, DueInDays: 90, Tags: []string{"procurement"},
	},
	{
		Title:       "Port strike delays container collections",
		Description: "Industrial action at the main container port is possible during ongoing wage negotiations. A prolonged strike would delay import collections and leave our haulage fleet idle.",
		Category:    "other", Department: "none", Status: "open",
		Probability: 4, Impact: 5, ResidualProbability: 4, ResidualImpact: 4,
		Assignee: 0, DueInDays: 0, Tags: []string{},
	},
	{
		Title:       "Wrong on-time delivery figures sent to customers",
		Description: "Monthly KPI packs are compiled by hand from several system exports. Errors in the reported on-time figures undermine customer trust and may trigger incorrect service credits.",
		Category:    "reporting", Department: "qms", Status: "open",
		Probability: 4, Impact: 3, ResidualProbability: 2, ResidualImpact: 2,
		Assignee: 4, DueInDays: -45, Tags: []string{"kpi"},
	},
	{
		Title:       "Staff paste customer data into generative AI tools",
		Description: "Employees have started using public AI chat tools to draft customer emails. Without a usage policy, confidential shipment or personal data could leave the company.",
		Category:    "technology", Department: "none", Status: "open",
		Probability: 0, Impact: 0, ResidualProbability: 0, ResidualImpact: 0,
		Assignee: -1, DueInDays: 0, Tags: []string{"gdpr", "ai"},
	},

	// --- pending (7) ---
	{
		Title:       "Payroll errors after the new collective agreement",
		Description: "Shift allowances changed under the new collective agreement and the payroll provider configures them manually. Incorrect pay would cause back payments, employee complaints and possible union disputes.",
		Category:    "operations", Department: "hr", Status: "pending",
		Probability: 4, Impact: 5, ResidualProbability: 2, ResidualImpact: 3,
		Assignee: 3, DueInDays: 21, Tags: []string{"payroll", "supplier"},
	},
	{
		Title:       "Board lacks visibility of top operational risks",
		Description: "Risk reporting to the board is ad hoc and focused on finance. Major operational exposures may not receive attention or budget until after an incident has occurred.",
		Category:    "governance", Department: "gov", Status: "pending",
		Probability: 5, Impact: 4, ResidualProbability: 2, ResidualImpact: 3,
		Assignee: 0, DueInDays: 14, Tags: []string{"q3-review"},
	},
	{
		Title:       "Agency warehouse workers start before background checks",
		Description: "In peak weeks, agency staff start work in high-value zones before their screening is complete. This weakens theft controls and may breach customer security requirements.",
		Category:    "people", Department: "hr", Status: "pending",
		Probability: 6, Impact: 5, ResidualProbability: 3, ResidualImpact: 4,
		Assignee: 3, DueInDays: 30, Tags: []string{"warehouse", "security"},
	},
	{
		Title:       "Pallet racking supplier fails structural safety inspection",
		Description: "The annual inspection found damaged uprights and the racking supplier has a long repair backlog. A racking collapse could injure staff and destroy stored goods.",
		Category:    "vendor_management", Department: "qms", Status: "pending",
		Probability: 2, Impact: 9, ResidualProbability: 2, ResidualImpact: 6,
		Assignee: 3, DueInDays: 10, Tags: []string{"safety", "supplier"},
	},
	{
		Title:       "Upcoming e-invoicing mandate for business customers",
		Description: "Structured electronic invoicing is becoming mandatory for business-to-business transactions in several of our markets. Our billing system may not produce compliant invoices in time.",
		Category:    "regulatory", Department: "admin", Status: "pending",
		Probability: 0, Impact: 0, ResidualProbability: 0, ResidualImpact: 0,
		Assignee: -1, DueInDays: 0, Tags: []string{"finance", "compliance"},
	},
	{
		Title:       "Autonomous yard tractor pilot at the Rotterdam hub",
		Description: "A pilot of driverless yard tractors is planned for next year. Safety, insurance and works council implications have not yet been assessed.",
		Category:    "operations", Department: "qms", Status: "pending",
		Probability: 0, Impact: 0, ResidualProbability: 0, ResidualImpact: 0,
		Assignee: -1, DueInDays: 60, Tags: []string{"safety", "innovation"},
	},
	{
		Title:       "Risk appetite statement not approved by the board",
		Description: "A draft risk appetite statement exists but was never formally approved. Without agreed thresholds, managers accept or escalate risks inconsistently.",
		Category:    "governance", Department: "gov", Status: "pending",
		Probability: 3, Impact: 4, ResidualProbability: 0, ResidualImpact: 0,
		Assignee: 0, DueInDays: 7, Tags: []string{"q3-review"},
	},

	// --- closed (5) ---
	{
		Title:       "Expired TLS certificate breaks the customer booking API",
		Description: "Certificates for the booking API were renewed by hand from a calendar reminder. An expired certificate would block all automated bookings from integrated customers until renewed.",
		Category:    "technology", Department: "itsm", Status: "closed",
		Probability: 6, Impact: 5, ResidualProbability: 1, ResidualImpact: 3,
		Assignee: 2, DueInDays: 0, Tags: []string{"cloud"},
		ClosureReason: "mitigated",
	},
	{
		Title:       "Cargo damage claims exceed carrier liability limits",
		Description: "Standard carrier liability under road transport conventions covers only a fraction of the value of electronics loads. Claims above that limit would fall on Northwind unless insured.",
		Category:    "customer", Department: "admin", Status: "closed",
		Probability: 4, Impact: 8, ResidualProbability: 4, ResidualImpact: 2,
		Assignee: 4, DueInDays: 0, Tags: []string{"insurance"},
		ClosureReason: "transferred",
	},
	{
		Title:       "Shared admin password on handheld warehouse scanners",
		Description: "All handheld scanners used one shared administrator password printed in the user guide. Anyone could change device settings or install unauthorised apps.",
		Category:    "technology", Department: "it", Status: "closed",
		Probability: 6, Impact: 4, ResidualProbability: 0, ResidualImpact: 0,
		Assignee: 2, DueInDays: 0, Tags: []string{"warehouse"},
		ClosureReason: "eliminated",
	},
	{
		Title:       "Hazardous goods permit missing at Leeds depot",
		Description: "An audit questioned whether the Leeds depot was permitted to store certain classes of dangerous goods. The review confirmed the existing permit already covers all classes we handle.",
		Category:    "regulatory", Department: "qms", Status: "closed",
		Probability: 2, Impact: 6, ResidualProbability: 1, ResidualImpact: 1,
		Assignee: 1, DueInDays: 0, Tags: []string{"safety"},
		ClosureReason: "no_risk",
	},
	{
		Title:       "Single-source supplier for thermal shipping labels",
		Description: "Thermal labels come from one supplier with no contracted alternative. A supply interruption would slow labelling, but stock levels and alternative retail sources make the impact minor.",
		Category:    "vendor_management", Department: "none", Status: "closed",
		Probability: 2, Impact: 3, ResidualProbability: 2, ResidualImpact: 3,
		Assignee: 0, DueInDays: 0, Tags: []string{"supplier"},
		ClosureReason: "accepted",
	},

	// --- archived (2) ---
	{
		Title:       "Fax order channel fails during office relocation",
		Description: "A handful of small customers placed orders by fax, which would have been unavailable during the office move. The fax channel has since been retired and the risk is kept for reference only.",
		Category:    "customer", Department: "none", Status: "archived",
		Probability: 2, Impact: 2, ResidualProbability: 1, ResidualImpact: 1,
		Assignee: -1, DueInDays: 0, Tags: []string{},
	},
	{
		Title:       "Risk register maintained only in spreadsheets",
		Description: "Risks were tracked in several spreadsheets with no version history or ownership. Inconsistent copies made board reporting unreliable until the register was moved to a dedicated tool.",
		Category:    "governance", Department: "gov", Status: "archived",
		Probability: 5, Impact: 3, ResidualProbability: 1, ResidualImpact: 2,
		Assignee: 1, DueInDays: 0, Tags: []string{"governance"},
	},
}
