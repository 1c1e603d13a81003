package seed

// demoPlan is the treatment, tasks and later changes of one demo risk, so
// that a first look shows treatments, overdue tasks and a real history.
type demoPlan struct {
	Risk         string // the risk's title in demoRisks
	Treatment    string // accept avoid mitigate transfer
	How          string
	Tasks        []demoTask
	ReviewInDays int // next review relative to the seeding day; 0 = none
	// Pending moves the risk from open to pending some days after the
	// treatment was decided (a later event of the history).
	Pending bool
}

// demoTask is a mitigation task of a demo risk.
type demoTask struct {
	Title     string
	DueInDays int // relative to the seeding day; negative = overdue unless Done
	Assignee  int // index into demoPeople, or -1
	Done      bool
	Started   bool // in progress
}

// demoPlans give a dozen demo risks a treatment and tasks.
var demoPlans = []demoPlan{
	{Risk: "Ransomware outbreak on the warehouse management system", Treatment: "mitigate",
		How: "Immutable offline backups, EDR on every WMS server, segmented warehouse network.", ReviewInDays: 30, Pending: true,
		Tasks: []demoTask{
			{Title: "Deploy EDR agents to all WMS servers", DueInDays: -12, Assignee: 2, Started: true},
			{Title: "Move WMS backups to immutable storage", DueInDays: -30, Assignee: 2, Done: true},
			{Title: "Run a ransomware tabletop exercise with operations", DueInDays: 21, Assignee: 1},
		}},
	{Risk: "Unpatched VPN appliance exploited by attackers", Treatment: "mitigate",
		How: "Patch within 72 hours of a vendor advisory; replace the appliance with ZTNA by year end.", ReviewInDays: 14,
		Tasks: []demoTask{
			{Title: "Apply the vendor's critical firmware update", DueInDays: -5, Assignee: 2},
			{Title: "Enable MFA for every VPN account", DueInDays: -40, Assignee: 2, Done: true},
			{Title: "Select a zero-trust access replacement", DueInDays: 60, Assignee: 1},
		}},
	{Risk: "Insolvency of our primary long-haul road carrier", Treatment: "transfer",
		How: "Trade credit insurance on prepaid freight; a second carrier contracted for 30% of volume.", ReviewInDays: 45, Pending: true,
		Tasks: []demoTask{
			{Title: "Sign a framework contract with a second carrier", DueInDays: -3, Assignee: 4},
			{Title: "Review the carrier's latest financial statements", DueInDays: 10, Assignee: 4},
		}},
	{Risk: "Forklift collision with pedestrian in busy aisles", Treatment: "mitigate",
		How: "Separate pedestrian walkways, blue-spot lights and speed limiters on every truck.", ReviewInDays: 60,
		Tasks: []demoTask{
			{Title: "Paint segregated walkways in aisles A to F", DueInDays: -20, Assignee: 3, Done: true},
			{Title: "Fit speed limiters to the forklift fleet", DueInDays: -8, Assignee: 3, Started: true},
		}},
	{Risk: "Finance team targeted by invoice redirection phishing", Treatment: "mitigate",
		How: "Call-back verification on every bank detail change; quarterly phishing simulations.", ReviewInDays: 90,
		Tasks: []demoTask{
			{Title: "Write the call-back procedure for bank detail changes", DueInDays: -25, Assignee: 4, Done: true},
			{Title: "Run a phishing simulation for the finance team", DueInDays: 15, Assignee: 2},
		}},
	{Risk: "ERP backups have never been restored in a test", Treatment: "mitigate",
		How: "Quarterly restore tests into an isolated environment, with timings recorded.", ReviewInDays: -7,
		Tasks: []demoTask{
			{Title: "Restore last month's ERP backup to the test system", DueInDays: -14, Assignee: 2},
		}},
	{Risk: "Temperature excursion in the pharmaceutical cold chain", Treatment: "mitigate",
		How: "Continuous data loggers with alerts to the duty manager; validated backup reefers.", ReviewInDays: 30, Pending: true,
		Tasks: []demoTask{
			{Title: "Install alerting data loggers in all reefer trailers", DueInDays: 20, Assignee: 3, Started: true},
			{Title: "Validate two backup reefer units", DueInDays: -2, Assignee: 3},
		}},
	{Risk: "Diesel price spike erodes fixed-rate contract margins", Treatment: "accept",
		How: "Accepted until the contract renewals in spring, which add a fuel surcharge clause.", ReviewInDays: 120},
	{Risk: "Flooding at the riverside cross-dock facility", Treatment: "transfer",
		How: "Flood cover added to the property policy; stock above 1 m during flood warnings.", ReviewInDays: 180,
		Tasks: []demoTask{
			{Title: "Confirm flood cover with the insurer", DueInDays: -45, Assignee: 4, Done: true},
		}},
	{Risk: "Staff paste customer data into generative AI tools", Treatment: "avoid",
		How: "Block public AI tools on company devices; offer an approved internal assistant instead.", ReviewInDays: 30,
		Tasks: []demoTask{
			{Title: "Publish the acceptable use policy for AI tools", DueInDays: -10, Assignee: 1},
			{Title: "Block public AI sites on the web proxy", DueInDays: 7, Assignee: 2},
		}},
	{Risk: "Missed NIS2 incident reporting deadlines", Treatment: "mitigate",
		How: "A 24-hour early-warning runbook with named deputies for the security lead.", ReviewInDays: 21,
		Tasks: []demoTask{
			{Title: "Write the NIS2 early-warning runbook", DueInDays: -18, Assignee: 1, Started: true},
			{Title: "Name deputies for incident notification", DueInDays: 5, Assignee: 0},
		}},
	{Risk: "Breach of driver working time rules", Treatment: "mitigate",
		How: "Tachograph data reviewed weekly; planners see remaining hours in the TMS.", ReviewInDays: 75,
		Tasks: []demoTask{
			{Title: "Weekly tachograph infringement report", DueInDays: 30, Assignee: 3},
		}},
}
