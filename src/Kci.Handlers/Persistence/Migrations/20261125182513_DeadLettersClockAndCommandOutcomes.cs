using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Kci.Handlers.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class DeadLettersClockAndCommandOutcomes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "created_at",
                schema: "handlers",
                table: "outbox",
                type: "timestamp with time zone",
                nullable: false,
                defaultValueSql: "now()",
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone");

            migrationBuilder.AddColumn<string>(
                name: "outcome",
                schema: "handlers",
                table: "operator_actions",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "next_attempt_at",
                schema: "handlers",
                table: "notification_deliveries",
                type: "timestamp with time zone",
                nullable: false,
                defaultValueSql: "now()",
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "created_at",
                schema: "handlers",
                table: "notification_deliveries",
                type: "timestamp with time zone",
                nullable: false,
                defaultValueSql: "now()",
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone");

            migrationBuilder.CreateTable(
                name: "dead_letters",
                schema: "handlers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    queue = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    source_queue = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    message_type = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    order_id = table.Column<Guid>(type: "uuid", nullable: true),
                    entity_type = table.Column<string>(type: "text", nullable: true),
                    entity_id = table.Column<string>(type: "text", nullable: true),
                    kci_id = table.Column<Guid>(type: "uuid", nullable: true),
                    sequence_number = table.Column<long>(type: "bigint", nullable: true),
                    conversation_id = table.Column<string>(type: "text", nullable: true),
                    exception_type = table.Column<string>(type: "text", nullable: true),
                    exception_message = table.Column<string>(type: "text", nullable: true),
                    faulted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    taken_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    replayed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    replayed_by = table.Column<string>(type: "text", nullable: true),
                    envelope = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dead_letters", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_dead_letters_order_id",
                schema: "handlers",
                table: "dead_letters",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_dead_letters_queue_message_id",
                schema: "handlers",
                table: "dead_letters",
                columns: new[] { "queue", "message_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_dead_letters_state_queue_faulted_at",
                schema: "handlers",
                table: "dead_letters",
                columns: new[] { "state", "queue", "faulted_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dead_letters",
                schema: "handlers");

            migrationBuilder.DropColumn(
                name: "outcome",
                schema: "handlers",
                table: "operator_actions");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "created_at",
                schema: "handlers",
                table: "outbox",
                type: "timestamp with time zone",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone",
                oldDefaultValueSql: "now()");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "next_attempt_at",
                schema: "handlers",
                table: "notification_deliveries",
                type: "timestamp with time zone",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone",
                oldDefaultValueSql: "now()");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "created_at",
                schema: "handlers",
                table: "notification_deliveries",
                type: "timestamp with time zone",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone",
                oldDefaultValueSql: "now()");
        }
    }
}
