using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kci.Handlers.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OperatorConsoleAndRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "body",
                schema: "handlers",
                table: "timeline",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "redacted_at",
                schema: "handlers",
                table: "orders",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_timeline_conversation_id",
                schema: "handlers",
                table: "timeline",
                column: "conversation_id");

            migrationBuilder.CreateIndex(
                name: "ix_timeline_handled_at",
                schema: "handlers",
                table: "timeline",
                column: "handled_at")
                .Annotation("Npgsql:IndexMethod", "brin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_timeline_conversation_id",
                schema: "handlers",
                table: "timeline");

            migrationBuilder.DropIndex(
                name: "ix_timeline_handled_at",
                schema: "handlers",
                table: "timeline");

            migrationBuilder.DropColumn(
                name: "redacted_at",
                schema: "handlers",
                table: "orders");

            migrationBuilder.AlterColumn<string>(
                name: "body",
                schema: "handlers",
                table: "timeline",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);
        }
    }
}
