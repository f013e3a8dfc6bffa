"use client";

import { SwitchField, TextareaField, TextField } from "@/components/app/form-fields";
import { Section } from "./section";

export function BasicsSection() {
  return (
    <Section
      id="basics"
      title="Basics"
      description="What this webhook is for. It starts switched off, so you can test it first."
    >
      <TextField name="name" label="Name" placeholder="Invoice on won deals" />
      <TextareaField
        name="description"
        label="Description"
        rows={2}
        placeholder="Creates an invoice in the billing system when a deal is won."
      />
      <SwitchField name="active" label="Active" description="When on, every matching event is sent to the URL." />
    </Section>
  );
}
