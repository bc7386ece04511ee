using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Kci.Handlers.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ActionsErrorsNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "fault_destination",
                schema: "handlers",
                table: "outbox",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "action_items",
                schema: "handlers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    order_id = table.Column<Guid>(type: "uuid", nullable: false),
                    entity_type = table.Column<string>(type: "text", nullable: false),
                    entity_id = table.Column<string>(type: "text", nullable: false),
                    sequence_number = table.Column<long>(type: "bigint", nullable: false),
                    type = table.Column<string>(type: "text", nullable: false),
                    code = table.Column<string>(type: "text", nullable: true),
                    text = table.Column<string>(type: "text", nullable: true),
                    what_to_do = table.Column<string>(type: "text", nullable: false),
                    due_by = table.Column<string>(type: "text", nullable: true),
                    open = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    resolved_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    resolved_by = table.Column<string>(type: "text", nullable: true),
                    resolution = table.Column<string>(type: "text", nullable: true),
                    resolved_by_kci_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_action_items", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "gateway_errors",
                schema: "handlers",
                columns: table => new
                {
                    kci_id = table.Column<Guid>(type: "uuid", nullable: false),
                    order_id = table.Column<Guid>(type: "uuid", nullable: false),
                    entity_type = table.Column<string>(type: "text", nullable: false),
                    entity_id = table.Column<string>(type: "text", nullable: false),
                    sequence_number = table.Column<long>(type: "bigint", nullable: false),
                    uuid = table.Column<string>(type: "text", nullable: true),
                    code = table.Column<string>(type: "text", nullable: true),
                    messages = table.Column<string>(type: "jsonb", nullable: true),
                    entity_status = table.Column<string>(type: "text", nullable: true),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_gateway_errors", x => x.kci_id);
                });

            migrationBuilder.CreateTable(
                name: "notification_deliveries",
                schema: "handlers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    subscription = table.Column<string>(type: "text", nullable: false),
                    kci_id = table.Column<Guid>(type: "uuid", nullable: false),
                    payload = table.Column<string>(type: "jsonb", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notification_deliveries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "operator_actions",
                schema: "handlers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    command = table.Column<string>(type: "text", nullable: false),
                    target = table.Column<string>(type: "text", nullable: false),
                    @operator = table.Column<string>(name: "operator", type: "text", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_operator_actions", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_action_items_open_created_at",
                schema: "handlers",
                table: "action_items",
                columns: new[] { "open", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_action_items_order_id_open",
                schema: "handlers",
                table: "action_items",
                columns: new[] { "order_id", "open" });

            migrationBuilder.CreateIndex(
                name: "ix_gateway_errors_recorded_at",
                schema: "handlers",
                table: "gateway_errors",
                column: "recorded_at");

            migrationBuilder.CreateIndex(
                name: "ix_notification_deliveries_state_next_attempt_at",
                schema: "handlers",
                table: "notification_deliveries",
                columns: new[] { "state", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_notification_deliveries_subscription_kci_id",
                schema: "handlers",
                table: "notification_deliveries",
                columns: new[] { "subscription", "kci_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_operator_actions_at",
                schema: "handlers",
                table: "operator_actions",
                column: "at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "action_items",
                schema: "handlers");

            migrationBuilder.DropTable(
                name: "gateway_errors",
                schema: "handlers");

            migrationBuilder.DropTable(
                name: "notification_deliveries",
                schema: "handlers");

            migrationBuilder.DropTable(
                name: "operator_actions",
                schema: "handlers");

            migrationBuilder.DropColumn(
                name: "fault_destination",
                schema: "handlers",
                table: "outbox");
        }
    }
}
