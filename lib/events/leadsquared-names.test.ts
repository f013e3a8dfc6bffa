import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "./catalog";
import { deriveLeadSquaredName, eventTypeAsSent, LEADSQUARED_TABLE, leadSquaredEventName } from "./leadsquared-names";

const LEADSQUARED_NAME = /^[A-Z][A-Za-z0-9]*_Post(_[A-Z][A-Za-z0-9]*)?$/;

describe("LeadSquared event names", () => {
  it("names the catalog's types as LeadSquared does", () => {
    expect(leadSquaredEventName("lead.created")).toBe("Lead_Post_Create");
    expect(leadSquaredEventName("lead.updated")).toBe("Lead_Post_Update");
    expect(leadSquaredEventName("deal.created")).toBe("Opportunity_Post_Create");
    expect(leadSquaredEventName("deal.updated")).toBe("Opportunity_Post_Update");
    expect(leadSquaredEventName("deal.stage_changed")).toBe("Opportunity_Post_StageChange");
    expect(leadSquaredEventName("task.created")).toBe("Task_Post_Create");
    expect(leadSquaredEventName("task.cancelled")).toBe("Task_Post_Cancel");
    expect(leadSquaredEventName("activity.created")).toBe("Activity_Post_Create");
    expect(leadSquaredEventName("lead.owner_changed")).toBe("Lead_Post_OwnershipChange");
    expect(leadSquaredEventName("form.submitted")).toBe("LandingPage_Post_Submission");
  });

  it("gives every catalog type a distinct name of the form Module_Post_Action", () => {
    const names = EVENT_TYPES.map((e) => leadSquaredEventName(e.type));
    for (const name of names) expect(name).toMatch(LEADSQUARED_NAME);
    expect(new Set(names).size).toBe(names.length);
    // The table holds only real dotted types, each named well.
    for (const [type, name] of Object.entries(LEADSQUARED_TABLE)) {
      expect(type).toMatch(/^[a-z_]+\.[a-z_]+$/);
      expect(name).toMatch(LEADSQUARED_NAME);
    }
  });

  it("derives a name for any other dotted type: PascalCase module, Post, the action in the present", () => {
    expect(deriveLeadSquaredName("sales_activity.updated")).toBe("SalesActivity_Post_Update");
    expect(deriveLeadSquaredName("sales_activity.created")).toBe("SalesActivity_Post_Create");
    expect(deriveLeadSquaredName("sales_activity.cancelled")).toBe("SalesActivity_Post_Cancel");
    expect(deriveLeadSquaredName("invoice.paid")).toBe("Invoice_Post_Pay");
    expect(deriveLeadSquaredName("ticket.status_changed")).toBe("Ticket_Post_StatusChange");
    expect(deriveLeadSquaredName("ticket.reopenedLater")).toBe("Ticket_Post_ReopenedLater");
    expect(deriveLeadSquaredName("crm.deal-note.archived")).toBe("CrmDealNote_Post_Archive");
    expect(deriveLeadSquaredName("ping")).toBe("Ping_Post");
    expect(deriveLeadSquaredName("...")).toBe("Event_Post");
    // Unlisted catalog types go the same way as the table's plain ones.
    expect(deriveLeadSquaredName("lead.created")).toBe(leadSquaredEventName("lead.created"));
    expect(leadSquaredEventName("quote.sent")).toBe("Quote_Post_Send");
    expect(leadSquaredEventName("constructor")).toBe("Constructor_Post");
    expect(leadSquaredEventName("toString.created")).toBe("ToString_Post_Create");
  });

  it("leaves the type as it is under Hookrelay's naming", () => {
    expect(eventTypeAsSent("deal.updated", "hookrelay")).toBe("deal.updated");
    expect(eventTypeAsSent("deal.updated", undefined)).toBe("deal.updated");
    expect(eventTypeAsSent("deal.updated", "leadsquared")).toBe("Opportunity_Post_Update");
  });
});
