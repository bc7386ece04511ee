using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kci.Sequencer.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OutagesAndTargetedCommands : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "created_at",
                schema: "sequencer",
                table: "outbox",
                type: "timestamp with time zone",
                nullable: false,
                defaultValueSql: "now()",
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ack_deadline",
                schema: "sequencer",
                table: "order_sequences",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "last_command_id",
                schema: "sequencer",
                table: "order_sequences",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "parked_at",
                schema: "sequencer",
                table: "order_sequences",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_order_sequences_ack_deadline",
                schema: "sequencer",
                table: "order_sequences",
                column: "ack_deadline",
                filter: "ack_deadline IS NOT NULL");

            // The sequencer's side of every order, for the operations API (Handlers read it, never the tables behind it):
            // this migration owns its shape, so the tables can change without Handlers noticing.
            migrationBuilder.Sql(OrderOverview.CreateBeforeGapRecovery);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(OrderOverview.Drop);

            migrationBuilder.DropIndex(
                name: "ix_order_sequences_ack_deadline",
                schema: "sequencer",
                table: "order_sequences");

            migrationBuilder.DropColumn(
                name: "ack_deadline",
                schema: "sequencer",
                table: "order_sequences");

            migrationBuilder.DropColumn(
                name: "last_command_id",
                schema: "sequencer",
                table: "order_sequences");

            migrationBuilder.DropColumn(
                name: "parked_at",
                schema: "sequencer",
                table: "order_sequences");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "created_at",
                schema: "sequencer",
                table: "outbox",
                type: "timestamp with time zone",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone",
                oldDefaultValueSql: "now()");
        }
    }
}
