using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kci.Sequencer.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class GapRecovery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "recovery_due",
                schema: "sequencer",
                table: "order_sequences",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "recovered_from",
                schema: "sequencer",
                table: "order_kcis",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_order_sequences_recovery_due",
                schema: "sequencer",
                table: "order_sequences",
                column: "recovery_due",
                filter: "recovery_due IS NOT NULL");

            // The operations API's view shows when the gateway is next asked (a view's columns only grow at its end).
            migrationBuilder.Sql(OrderOverview.Create);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(OrderOverview.Drop);
            migrationBuilder.Sql(OrderOverview.CreateBeforeGapRecovery);

            migrationBuilder.DropIndex(
                name: "ix_order_sequences_recovery_due",
                schema: "sequencer",
                table: "order_sequences");

            migrationBuilder.DropColumn(
                name: "recovery_due",
                schema: "sequencer",
                table: "order_sequences");

            migrationBuilder.DropColumn(
                name: "recovered_from",
                schema: "sequencer",
                table: "order_kcis");
        }
    }
}
