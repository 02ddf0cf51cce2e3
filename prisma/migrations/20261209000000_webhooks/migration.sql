-- Webhooks' transactional outbox: each event is written in the transaction of the change it
-- reports, with one delivery per endpoint configured for its app (WEBHOOKS) that wants it.
-- Workers on every instance claim deliveries by a lease; one at a time per endpoint and course
-- (orderKey), so a class's events arrive in order.
CREATE TABLE "WebhookEvent" (
    "id" VARCHAR(40) NOT NULL,
    "appid" INTEGER NOT NULL,
    "roomnum" INTEGER,
    "type" VARCHAR(40) NOT NULL,
    "payload" JSONB NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WebhookEvent_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "WebhookEvent_occurredAt_idx" ON "WebhookEvent"("occurredAt");

CREATE TABLE "WebhookDelivery" (
    "id" SERIAL NOT NULL,
    "eventId" VARCHAR(40) NOT NULL,
    "endpoint" VARCHAR(64) NOT NULL,
    "orderKey" VARCHAR(96) NOT NULL,
    "status" VARCHAR(16) NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL,
    "leaseUntil" TIMESTAMPTZ(3),
    "lastStatus" INTEGER,
    "lastError" VARCHAR(512) NOT NULL DEFAULT '',
    "deliveredAt" TIMESTAMPTZ(3),

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "WebhookDelivery_eventId_endpoint_key" ON "WebhookDelivery"("eventId", "endpoint");
CREATE INDEX "WebhookDelivery_status_orderKey_id_idx" ON "WebhookDelivery"("status", "orderKey", "id");

ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "WebhookEvent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
